package io.polyworker.testkit.memory;

import io.polyworker.InvalidDefinitionException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The part of BPMN the in-memory engine runs: start events (at most one none start event, any number
 * of message start events with distinct messages), end events, external service tasks (topic from
 * {@code camunda:topic}, {@code flowable:topic} or {@code zeebe:taskDefinition type}), intermediate
 * message catch events, sequence flows with one outgoing flow per node, and error boundary events on
 * service tasks. Messages are declared as {@code <message id name>} in the definitions and referred to
 * by {@code messageEventDefinition messageRef}. Parsed with the JDK's DOM parser with DOCTYPEs and
 * external entities refused, so a deployed file cannot read local files or reach the network.
 * Anything else in a process is rejected with a message naming it.
 */
final class BpmnModel {
  static final String BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
  static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";
  static final String FLOWABLE = "http://flowable.org/bpmn";
  static final String ZEEBE = "http://camunda.org/schema/zeebe/1.0";

  /** A service task. */
  record Task(String elementId, String topic, Map<String, String> headers) {}

  /** An error boundary event: attached to a task, catching one code (or all when the code is null). */
  record Boundary(String id, String attachedTo, @Nullable String errorCode) {}

  /**
   * One executable process.
   *
   * @param noneStartId the none start event, or null when every start event waits for a message
   * @param messageStarts message name to the id of the message start event waiting for it
   * @param catchEvents id of an intermediate message catch event to the message name it waits for
   */
  record Process(String key, @Nullable String noneStartId, Map<String, String> messageStarts,
      Map<String, Task> tasks, Map<String, String> catchEvents, Map<String, String> next,
      List<String> endIds, List<Boundary> boundaries) {

    boolean isTask(String nodeId) {
      return tasks.containsKey(nodeId);
    }

    boolean isCatchEvent(String nodeId) {
      return catchEvents.containsKey(nodeId);
    }

    /** The boundary event on this task catching this code, or null. */
    @Nullable Boundary catching(String taskId, String errorCode) {
      Boundary catchAll = null;
      for (Boundary b : boundaries) {
        if (b.attachedTo().equals(taskId)) {
          if (errorCode.equals(b.errorCode())) {
            return b;
          }
          if (b.errorCode() == null) {
            catchAll = b;
          }
        }
      }
      return catchAll;
    }
  }

  private BpmnModel() {}

  static List<Process> parse(String engineId, String resourceName, byte[] xml) {
    Document doc = read(engineId, resourceName, xml);
    Element root = doc.getDocumentElement();
    if (!BPMN.equals(root.getNamespaceURI()) || !"definitions".equals(root.getLocalName())) {
      throw invalid(engineId, resourceName, "the root element is not BPMN <definitions>");
    }
    Map<String, String> errorCodes = new HashMap<>();
    for (Element e : children(root, BPMN, "error")) {
      String code = e.getAttribute("errorCode");
      errorCodes.put(e.getAttribute("id"), code.isEmpty() ? e.getAttribute("name") : code);
    }
    Map<String, String> messageNames = new HashMap<>();
    for (Element e : children(root, BPMN, "message")) {
      messageNames.put(required(engineId, resourceName, e, "id"),
          required(engineId, resourceName, e, "name"));
    }
    List<Process> processes = new ArrayList<>();
    for (Element p : children(root, BPMN, "process")) {
      processes.add(process(engineId, resourceName, p, errorCodes, messageNames));
    }
    if (processes.isEmpty()) {
      throw invalid(engineId, resourceName, "no <process> in the definitions");
    }
    return processes;
  }

  private static Document read(String engineId, String resourceName, byte[] xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder builder = f.newDocumentBuilder();
      builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
          throw e;
        }
      });
      return builder.parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new InvalidDefinitionException(engineId, "deploy", 400, null,
          resourceName + " is not well-formed BPMN XML: " + e.getMessage(), e);
    }
  }

  private static Process process(String engineId, String resource, Element p,
      Map<String, String> errorCodes, Map<String, String> messageNames) {
    String key = required(engineId, resource, p, "id");
    String start = null;
    Map<String, String> messageStarts = new LinkedHashMap<>();
    Map<String, String> catchEvents = new LinkedHashMap<>();
    Map<String, Task> tasks = new LinkedHashMap<>();
    Map<String, String> next = new HashMap<>();
    List<String> ends = new ArrayList<>();
    List<Boundary> boundaries = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    for (Element e : children(p, null, null)) {
      if (!BPMN.equals(e.getNamespaceURI())) {
        continue; // diagram interchange and foreign extensions
      }
      String name = e.getLocalName();
      switch (name) {
        case "startEvent": {
          String id = required(engineId, resource, e, "id");
          String message = message(engineId, resource, e, messageNames, true);
          if (message == null) {
            if (start != null) {
              throw invalid(engineId, resource, "process " + key + " has more than one none start event");
            }
            start = id;
          } else if (messageStarts.put(message, id) != null) {
            throw invalid(engineId, resource, "process " + key
                + " has more than one start event for message '" + message + "'");
          }
          nodes.add(id);
          break;
        }
        case "intermediateCatchEvent": {
          String id = required(engineId, resource, e, "id");
          String message = message(engineId, resource, e, messageNames, false);
          catchEvents.put(id, Objects.requireNonNull(message));
          nodes.add(id);
          break;
        }
        case "endEvent":
          ends.add(required(engineId, resource, e, "id"));
          nodes.add(ends.get(ends.size() - 1));
          break;
        case "serviceTask":
          Task t = task(engineId, resource, e);
          tasks.put(t.elementId(), t);
          nodes.add(t.elementId());
          break;
        case "boundaryEvent":
          String id = required(engineId, resource, e, "id");
          List<Element> defs = children(e, BPMN, "errorEventDefinition");
          if (defs.size() != 1) {
            throw invalid(engineId, resource, "boundary event " + id + " is not an error boundary event");
          }
          String ref = defs.get(0).getAttribute("errorRef");
          String code = ref.isEmpty() ? null : errorCodes.getOrDefault(ref, ref);
          boundaries.add(new Boundary(id, required(engineId, resource, e, "attachedToRef"), code));
          nodes.add(id);
          break;
        case "sequenceFlow":
          String from = required(engineId, resource, e, "sourceRef");
          if (next.put(from, required(engineId, resource, e, "targetRef")) != null) {
            throw invalid(engineId, resource, "element " + from + " has more than one outgoing flow");
          }
          break;
        case "documentation":
        case "extensionElements":
        case "error":
          break;
        default:
          throw invalid(engineId, resource, "element <" + name + "> is not supported by the in-memory engine");
      }
    }
    if (start == null && messageStarts.isEmpty()) {
      throw invalid(engineId, resource, "process " + key + " has no start event");
    }
    for (Boundary b : boundaries) {
      if (!tasks.containsKey(b.attachedTo())) {
        throw invalid(engineId, resource, "boundary event " + b.id() + " is attached to "
            + b.attachedTo() + ", which is not a service task");
      }
    }
    for (Map.Entry<String, String> flow : next.entrySet()) {
      if (!nodes.contains(flow.getKey()) || !nodes.contains(flow.getValue())) {
        throw invalid(engineId, resource, "sequence flow " + flow.getKey() + " -> " + flow.getValue()
            + " refers to an unknown element");
      }
    }
    for (String node : nodes) {
      if (!ends.contains(node) && !next.containsKey(node)) {
        throw invalid(engineId, resource, "element " + node + " has no outgoing sequence flow");
      }
    }
    return new Process(key, start, messageStarts, tasks, catchEvents, next, ends, boundaries);
  }

  /**
   * The message an event waits for: null for a start event without event definition; otherwise
   * exactly one {@code messageEventDefinition} whose {@code messageRef} names a declared message.
   */
  private static @Nullable String message(String engineId, String resource, Element event,
      Map<String, String> messageNames, boolean mayBeNone) {
    String id = event.getAttribute("id");
    List<Element> definitions = new ArrayList<>();
    for (Element c : children(event, null, null)) {
      if (BPMN.equals(c.getNamespaceURI()) && c.getLocalName().endsWith("EventDefinition")) {
        definitions.add(c);
      }
    }
    if (definitions.isEmpty() && mayBeNone) {
      return null;
    }
    if (definitions.size() != 1 || !"messageEventDefinition".equals(definitions.get(0).getLocalName())) {
      throw invalid(engineId, resource, "<" + event.getLocalName() + "> " + id
          + " is not supported by the in-memory engine: only " + (mayBeNone ? "none and " : "")
          + "message events are");
    }
    String ref = definitions.get(0).getAttribute("messageRef");
    if (ref.isBlank()) {
      throw invalid(engineId, resource, "the messageEventDefinition of " + id + " has no messageRef");
    }
    String name = messageNames.get(ref);
    if (name == null) {
      throw invalid(engineId, resource, "the messageEventDefinition of " + id + " refers to message "
          + ref + ", which is not declared");
    }
    return name;
  }

  private static Task task(String engineId, String resource, Element e) {
    String id = required(engineId, resource, e, "id");
    String topic = null;
    Map<String, String> headers = new LinkedHashMap<>();
    if (e.hasAttributeNS(CAMUNDA, "topic")) {
      topic = e.getAttributeNS(CAMUNDA, "topic");
    } else if (e.hasAttributeNS(FLOWABLE, "topic")) {
      topic = e.getAttributeNS(FLOWABLE, "topic");
    }
    for (Element ext : children(e, BPMN, "extensionElements")) {
      for (Element def : children(ext, ZEEBE, "taskDefinition")) {
        topic = def.getAttribute("type");
      }
      for (Element hs : children(ext, ZEEBE, "taskHeaders")) {
        for (Element h : children(hs, ZEEBE, "header")) {
          headers.put(h.getAttribute("key"), h.getAttribute("value"));
        }
      }
      for (Element ps : children(ext, CAMUNDA, "properties")) {
        for (Element prop : children(ps, CAMUNDA, "property")) {
          headers.put(prop.getAttribute("name"), prop.getAttribute("value"));
        }
      }
    }
    if (topic == null || topic.isBlank()) {
      throw invalid(engineId, resource, "service task " + id + " is not an external task with a topic"
          + " (camunda:topic, flowable:topic or zeebe:taskDefinition type)");
    }
    return new Task(id, topic, headers);
  }

  private static String required(String engineId, String resource, Element e, String attribute) {
    String v = e.getAttribute(attribute);
    if (v.isBlank()) {
      throw invalid(engineId, resource, "<" + e.getLocalName() + "> without " + attribute);
    }
    return v;
  }

  private static List<Element> children(Element parent, @Nullable String ns, @Nullable String localName) {
    List<Element> result = new ArrayList<>();
    NodeList list = parent.getChildNodes();
    for (int i = 0; i < list.getLength(); i++) {
      Node n = list.item(i);
      if (n instanceof Element c && (localName == null
          || (localName.equals(c.getLocalName()) && ns != null && ns.equals(c.getNamespaceURI())))) {
        result.add(c);
      }
    }
    return result;
  }

  private static InvalidDefinitionException invalid(String engineId, String resource, String detail) {
    return new InvalidDefinitionException(engineId, "deploy", 400, null, resource + ": " + detail, null);
  }
}
