package io.polyworker.testkit.flowable.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.flowable.cmmn.api.CmmnHistoryService;
import org.flowable.cmmn.api.CmmnRepositoryService;
import org.flowable.cmmn.api.CmmnRuntimeService;
import org.flowable.cmmn.api.history.HistoricCaseInstance;
import org.flowable.cmmn.api.history.HistoricPlanItemInstance;
import org.flowable.cmmn.api.repository.CaseDefinition;
import org.flowable.cmmn.api.repository.CmmnDeployment;
import org.flowable.cmmn.api.runtime.CaseInstance;
import org.flowable.cmmn.api.runtime.CaseInstanceBuilder;
import org.flowable.common.engine.api.FlowableException;
import org.flowable.common.engine.api.FlowableObjectNotFoundException;
import org.flowable.variable.api.history.HistoricVariableInstance;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The few CMMN operations tests need, because Flowable's CMMN REST module does not resolve from our Maven mirror.
 * Not Flowable's API and not a public contract: JSON in, JSON out, just enough to deploy, start and observe cases.
 *
 * <ul>
 *   <li>{@code POST /polyworker-test/cmmn/deployments} — multipart (any file part; its file name is the resource
 *       name) or a raw XML body with {@code ?resourceName=x.cmmn} → {@code {id, name, caseDefinitions:[{id, key,
 *       name, version}]}};</li>
 *   <li>{@code POST /polyworker-test/cmmn/case-instances} {@code {caseDefinitionKey, businessKey?, variables?}}
 *       → {@code {id, caseDefinitionId, caseDefinitionKey, businessKey, state:"active"|...}};</li>
 *   <li>{@code GET /polyworker-test/cmmn/case-instances/{id}} → {@code {id, ..., state:
 *       "active"|"completed"|"terminated"|..., variables:{name: value}}}, 404 if unknown;</li>
 *   <li>{@code GET /polyworker-test/cmmn/case-instances/{id}/plan-item-instances} → {@code [{id,
 *       planItemDefinitionId, planItemDefinitionType, name, state}]} (from history, so ended items too);</li>
 *   <li>{@code POST /polyworker-test/cmmn/case-instances/{id}/terminate} → 204.</li>
 * </ul>
 */
@RestController
@RequestMapping(path = "/polyworker-test/cmmn", produces = MediaType.APPLICATION_JSON_VALUE)
public class CmmnTestController {

  private final CmmnRepositoryService repositoryService;
  private final CmmnRuntimeService runtimeService;
  private final CmmnHistoryService historyService;

  public CmmnTestController(CmmnRepositoryService repositoryService, CmmnRuntimeService runtimeService,
      CmmnHistoryService historyService) {
    this.repositoryService = repositoryService;
    this.runtimeService = runtimeService;
    this.historyService = historyService;
  }

  @PostMapping(path = "/deployments", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  public Map<String, Object> deployMultipart(@RequestParam Map<String, MultipartFile> files) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("multipart request without a file part");
    }
    var builder = repositoryService.createDeployment().name("polyworker-test");
    for (MultipartFile file : files.values()) {
      String name = file.getOriginalFilename() == null || file.getOriginalFilename().isBlank()
          ? file.getName() + ".cmmn" : file.getOriginalFilename();
      builder.addBytes(name, file.getBytes());
    }
    return deploymentJson(builder.deploy());
  }

  @PostMapping(path = "/deployments", consumes = {MediaType.APPLICATION_XML_VALUE, MediaType.TEXT_XML_VALUE,
      MediaType.APPLICATION_OCTET_STREAM_VALUE, MediaType.TEXT_PLAIN_VALUE})
  public Map<String, Object> deployRaw(@RequestParam(defaultValue = "case.cmmn") String resourceName,
      @RequestBody byte[] xml) {
    return deploymentJson(repositoryService.createDeployment().name("polyworker-test")
        .addString(resourceName, new String(xml, StandardCharsets.UTF_8)).deploy());
  }

  private Map<String, Object> deploymentJson(CmmnDeployment deployment) {
    List<Map<String, Object>> definitions = repositoryService.createCaseDefinitionQuery()
        .deploymentId(deployment.getId()).list().stream()
        .map(CmmnTestController::caseDefinitionJson).toList();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", deployment.getId());
    json.put("name", deployment.getName());
    json.put("caseDefinitions", definitions);
    return json;
  }

  private static Map<String, Object> caseDefinitionJson(CaseDefinition definition) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", definition.getId());
    json.put("key", definition.getKey());
    json.put("name", definition.getName());
    json.put("version", definition.getVersion());
    return json;
  }

  /** Body: {@code {caseDefinitionKey, businessKey?, variables?}}. */
  @PostMapping(path = "/case-instances", consumes = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<Map<String, Object>> start(@RequestBody StartRequest request) {
    if (request.caseDefinitionKey() == null || request.caseDefinitionKey().isBlank()) {
      throw new IllegalArgumentException("caseDefinitionKey is required");
    }
    CaseInstanceBuilder builder = runtimeService.createCaseInstanceBuilder()
        .caseDefinitionKey(request.caseDefinitionKey());
    if (request.businessKey() != null) {
      builder.businessKey(request.businessKey());
    }
    if (request.variables() != null) {
      builder.variables(request.variables());
    }
    CaseInstance instance = builder.start();
    return ResponseEntity.status(HttpStatus.CREATED).body(caseInstance(instance.getId()));
  }

  /** The request body of {@link #start}. */
  public record StartRequest(String caseDefinitionKey, String businessKey, Map<String, Object> variables) {
  }

  @GetMapping("/case-instances/{id}")
  public Map<String, Object> caseInstance(@PathVariable String id) {
    Map<String, Object> json = new LinkedHashMap<>();
    CaseInstance running = runtimeService.createCaseInstanceQuery().caseInstanceId(id).singleResult();
    HistoricCaseInstance historic = historyService.createHistoricCaseInstanceQuery().caseInstanceId(id)
        .singleResult();
    if (running == null && historic == null) {
      throw new FlowableObjectNotFoundException("Could not find case instance with id '" + id + "'.");
    }
    json.put("id", id);
    if (running != null) {
      json.put("caseDefinitionId", running.getCaseDefinitionId());
      json.put("caseDefinitionKey", running.getCaseDefinitionKey());
      json.put("businessKey", running.getBusinessKey());
      json.put("state", running.getState());
      json.put("ended", false);
      json.put("variables", new TreeMap<>(runtimeService.getVariables(id)));
    } else {
      json.put("caseDefinitionId", historic.getCaseDefinitionId());
      json.put("caseDefinitionKey", historic.getCaseDefinitionKey());
      json.put("businessKey", historic.getBusinessKey());
      json.put("state", historic.getState());
      json.put("ended", true);
      json.put("endTime", historic.getEndTime());
      Map<String, Object> variables = new TreeMap<>();
      for (HistoricVariableInstance variable : historyService.createHistoricVariableInstanceQuery()
          .caseInstanceId(id).list()) {
        if (variable.getSubScopeId() == null) {
          variables.put(variable.getVariableName(), variable.getValue());
        }
      }
      json.put("variables", variables);
    }
    return json;
  }

  @GetMapping("/case-instances/{id}/plan-item-instances")
  public List<Map<String, Object>> planItemInstances(@PathVariable String id) {
    return historyService.createHistoricPlanItemInstanceQuery().planItemInstanceCaseInstanceId(id)
        .orderByCreateTime().asc().list().stream()
        .map(CmmnTestController::planItemJson).toList();
  }

  private static Map<String, Object> planItemJson(HistoricPlanItemInstance item) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", item.getId());
    json.put("elementId", item.getElementId());
    json.put("planItemDefinitionId", item.getPlanItemDefinitionId());
    json.put("planItemDefinitionType", item.getPlanItemDefinitionType());
    json.put("name", item.getName());
    json.put("state", item.getState());
    return json;
  }

  @PostMapping("/case-instances/{id}/terminate")
  public ResponseEntity<Void> terminate(@PathVariable String id) {
    runtimeService.terminateCaseInstance(id);
    return ResponseEntity.noContent().build();
  }

  @ExceptionHandler(FlowableObjectNotFoundException.class)
  public ResponseEntity<Map<String, Object>> notFound(FlowableObjectNotFoundException e) {
    return error(HttpStatus.NOT_FOUND, e);
  }

  @ExceptionHandler({IllegalArgumentException.class, FlowableException.class})
  public ResponseEntity<Map<String, Object>> badRequest(RuntimeException e) {
    return error(HttpStatus.BAD_REQUEST, e);
  }

  private static ResponseEntity<Map<String, Object>> error(HttpStatus status, Exception e) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("message", status.getReasonPhrase());
    json.put("exception", String.valueOf(e.getMessage()));
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(json);
  }
}
