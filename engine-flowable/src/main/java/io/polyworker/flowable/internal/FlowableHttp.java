package io.polyworker.flowable.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.AuthenticationException;
import io.polyworker.BackPressureException;
import io.polyworker.EngineUnavailableException;
import io.polyworker.InvalidDefinitionException;
import io.polyworker.JobAlreadyCompletedException;
import io.polyworker.JobLockLostException;
import io.polyworker.NotFoundException;
import io.polyworker.PolyworkerException;
import io.polyworker.ResultRejectedException;
import io.polyworker.VariableException;
import io.polyworker.engine.EngineConfig;
import io.polyworker.flowable.FlowableEngine;
import io.polyworker.support.internal.HttpSettings;
import io.polyworker.support.internal.RestConversation;
import io.polyworker.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP conversation with a Flowable server: {@link RestConversation} (client, auth on every
 * request, JSON calls, bounded answer reading) plus the URLs of its process REST API and its external
 * worker job REST API below one server root, and the mapping of its error answers onto Polyworker's
 * exception hierarchy.
 *
 * <p>Flowable answers errors as {@code {"message": "Not found", "exception": "Could not find ..."}}; the
 * {@code exception} text is the useful part and becomes the exception's detail. Flowable has no long
 * polling, so the socket read timeout is the request timeout.
 */
final class FlowableHttp extends RestConversation {
  /** Operations on one acquired job: a 404 there means the job is gone, not a wrong URL. */
  private static final Set<String> JOB_OPERATIONS =
      Set.of("complete", "fail", "bpmnError", "terminate", "release");

  /** Which of the server's REST APIs a URL belongs to. */
  enum Api {
    /** {@code /process-api}: repository, runtime, history, management. */
    PROCESS,
    /** {@code /external-job-api}: acquire, complete, fail, unacquire. */
    JOBS
  }

  private final List<String> processApi;
  private final List<String> jobApi;

  /**
   * @param settings server root (such as {@code http://localhost:8080/flowable-rest}), auth, timeouts
   * @param processApiPath path of the process REST API below the root
   * @param jobApiPath path of the external worker job REST API below the root
   */
  FlowableHttp(HttpSettings settings, String processApiPath, String jobApiPath) {
    super(FlowableEngine.ID, settings, false);
    this.processApi = segments(processApiPath);
    this.jobApi = segments(jobApiPath);
  }

  private static List<String> segments(String path) {
    List<String> result = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        result.add(s);
      }
    }
    return result;
  }

  /** The URL of a path below one of the APIs; segments are encoded. */
  HttpUrl url(Api api, String... segments) {
    HttpUrl base = base();
    HttpUrl.Builder b = base.newBuilder().encodedPath("/").query(null).fragment(null);
    for (String s : base.pathSegments()) {
      if (!s.isEmpty()) {
        b.addPathSegment(s);
      }
    }
    for (String s : api == Api.PROCESS ? processApi : jobApi) {
      b.addPathSegment(s);
    }
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  /**
   * An answer that says the URL is not one of Flowable's REST APIs is a configuration error, not
   * retryable: a 404 or 405 that is not Flowable's JSON error (a servlet container's HTML page, a
   * Spring Boot application's error object), or the 500 "No endpoint POST /..." that Flowable's own
   * exception handler gives for a path below it that nothing serves. The message names the API's URL
   * and the settings that make it up.
   */
  @Override
  protected PolyworkerException error(String operation, HttpUrl url, int status,
      @Nullable String mediaType, String text) {
    boolean noEndpoint = status >= 500 && noEndpoint(text);
    if (noEndpoint || isForeignErrorPage(status, mediaType, text)) {
      boolean jobs = isBelow(url, jobApi);
      String api = jobs ? "external worker job" : "process";
      String setting = jobs ? FlowableEngine.EXTERNAL_JOB_API_PATH : FlowableEngine.PROCESS_API_PATH;
      HttpUrl root = url(jobs ? Api.JOBS : Api.PROCESS);
      String got = noEndpoint ? "got HTTP " + status + " \"" + PolyworkerException.excerpt(firstLine(text))
          + "\"" : "got " + describeAnswer(status, mediaType) + " for " + url.encodedPath();
      return new PolyworkerException(FlowableEngine.ID, operation, status, text, "no Flowable " + api
          + " REST API at " + root + " (" + got + "); the base URL (builder baseUrl, setting "
          + EngineConfig.URL + " / " + EngineConfig.envName(EngineConfig.URL) + ") is the server root,"
          + " such as http://localhost:8080 for a Spring Boot application with Flowable's REST starters"
          + " or http://localhost:8080/flowable-rest for the Flowable REST webapp, and this API's path"
          + " below it is /" + String.join("/", jobs ? jobApi : processApi) + " (setting " + setting
          + " / " + EngineConfig.envName(setting) + ", default "
          + (jobs ? "/external-job-api" : "/process-api") + ")", null);
    }
    return error(operation, status, text);
  }

  private boolean isBelow(HttpUrl url, List<String> api) {
    List<String> base = new ArrayList<>();
    for (String s : base().pathSegments()) {
      if (!s.isEmpty()) {
        base.add(s);
      }
    }
    base.addAll(api);
    List<String> path = url.pathSegments();
    return path.size() >= base.size() && path.subList(0, base.size()).equals(base);
  }

  /** Flowable's answer for a path below its REST servlet that no controller serves. */
  private static boolean noEndpoint(String text) {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node != null && node.isObject()) {
        String exception = node.path("exception").asText("");
        return exception.startsWith("No endpoint ") || exception.startsWith("No static resource ");
      }
    } catch (JsonProcessingException e) {
      // not Flowable's JSON
    }
    return false;
  }

  private static String firstLine(String text) {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node != null && node.isObject() && node.hasNonNull("exception")) {
        return node.get("exception").asText();
      }
    } catch (JsonProcessingException e) {
      // fall through
    }
    return text.strip();
  }

  /**
   * Maps a non-2xx answer onto the exception hierarchy. Flowable's own mapping: 400 bad request
   * (including a result of the wrong kind for the job's scope), 401 missing credentials, 403 "does not
   * hold a lock" or not allowed, 404 not found, 409 conflict, 500 anything else (including BPMN parse
   * errors on deploy).
   *
   * <p>On a result (complete, fail, bpmnError, terminate) a 400 — or another 4xx that is not about
   * credentials, a lock, a missing job, a timeout, a conflict or the rate — means Flowable refused
   * what the request carries for good: a result kind the job's scope does not take, a variable it
   * cannot store ("The given variable value is not a date: '+10000-01-01T00:00:00Z'", "Variable 'x' has
   * unsupported type"). That is a
   * {@link ResultRejectedException}. A 409 stays retryable (optimistic locking), and a 500 is never
   * taken for a refusal: Flowable answers 500 with the bare message for content it cannot parse
   * ("Character x is neither a decimal digit number…") as for any other engine failure.
   */
  @Override
  protected PolyworkerException error(String operation, int status, String text) {
    String message = text.isBlank() ? "HTTP " + status : text.strip();
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node != null && node.isObject()) {
        JsonNode exception = node.get("exception");
        JsonNode summary = node.get("message");
        if (exception != null && exception.isTextual() && !exception.asText().isBlank()) {
          message = exception.asText();
        } else if (summary != null && summary.isTextual() && !summary.asText().isBlank()) {
          message = summary.asText();
        }
      }
    } catch (JsonProcessingException e) {
      // not JSON (a proxy's HTML page, say): keep the raw text
    }
    String lower = message.toLowerCase(Locale.ROOT);
    boolean jobOperation = JOB_OPERATIONS.contains(operation);
    if (status == 401) {
      return new AuthenticationException(FlowableEngine.ID, operation, status, text,
          "the server rejected the credentials: " + message, null);
    }
    if (status == 403) {
      if (lower.contains("does not hold a lock")) {
        return new JobLockLostException(FlowableEngine.ID, operation, status, text, message
            + " (the lock expired or the job was released, and may now be held by another worker)", null);
      }
      return new AuthenticationException(FlowableEngine.ID, operation, status, text,
          "not allowed: " + message, null);
    }
    if (status == 404) {
      if (jobOperation) {
        return new JobAlreadyCompletedException(FlowableEngine.ID, operation, status, text, message
            + " (the job no longer exists: it was completed, moved to the dead-letter jobs, or its"
            + " instance ended)", null);
      }
      return new NotFoundException(FlowableEngine.ID, operation, status, text, message, null);
    }
    if (status == 429) {
      return new BackPressureException(FlowableEngine.ID, operation, status, text, message, null);
    }
    if (status == 409 && jobOperation) {
      // Concurrent modification of the job (optimistic locking): sending the same result again may work.
      return new EngineUnavailableException(FlowableEngine.ID, operation, status, text, message, null);
    }
    if ("deploy".equals(operation) && (status == 400 || (status >= 500 && isParseError(lower)))) {
      return new InvalidDefinitionException(FlowableEngine.ID, operation, status, text, message, null);
    }
    if (status >= 500) {
      return new EngineUnavailableException(FlowableEngine.ID, operation, status, text, message, null);
    }
    if (mayRefuseResult(operation, status)) {
      String detail = message;
      if (lower.contains("can only terminate cmmn")) {
        detail = "terminate applies only to CMMN jobs, and this is a BPMN job: complete it, fail it or"
            + " raise a BPMN error instead (" + message + ")";
      } else if (lower.contains("bpmn external job with a bpmn error")) {
        detail = "a BPMN error applies only to BPMN jobs, and this is a CMMN job: complete, fail or"
            + " terminate it instead (" + message + ")";
      }
      return new ResultRejectedException(FlowableEngine.ID, operation, status, text, detail, null);
    }
    if (status == 400) {
      if (lower.contains("no process definition found")
          || (lower.contains("process definition with key") && lower.contains("not found"))) {
        return new NotFoundException(FlowableEngine.ID, operation, status, text, message, null);
      }
      if (lower.startsWith("variable '") || lower.contains("unsupported type")) {
        return new VariableException(FlowableEngine.ID, operation, status, text, message, null);
      }
    }
    return new PolyworkerException(FlowableEngine.ID, operation, status, text, message, null);
  }

  /** Flowable answers 500 for definitions it cannot parse or validate. */
  private static boolean isParseError(String lower) {
    return lower.contains("errors while parsing") || lower.contains("xmlstreamexception")
        || lower.contains("saxparseexception") || lower.contains("could not parse")
        || lower.contains("xml document") || lower.contains("validation");
  }
}
