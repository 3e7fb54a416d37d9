package io.polyworker.testkit.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny, engine-neutral process model for contract tests: a sequence of external tasks, optionally
 * one BPMN error boundary event leading to another external task, rendered as BPMN XML in the
 * engine's {@link Dialect}. Every test builds its own process with unique ids and topics, so tests
 * sharing one engine never see each other's jobs.
 */
public final class TestProcess {
  private final String id;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final List<String[]> steps = new ArrayList<>();
  private String startMessage;
  private String errorTask;
  private String errorCode;
  private String errorTopic;

  private TestProcess(String id) {
    this.id = id;
  }

  /** A process with this id (a valid XML NCName). */
  public static TestProcess named(String id) {
    return new TestProcess(id);
  }

  /** Appends an external task. */
  public TestProcess task(String elementId, String topic) {
    steps.add(new String[] {"task", elementId, topic});
    return this;
  }

  /**
   * Appends an intermediate message catch event for {@code messageName}. Zeebe correlates it by the
   * process variable {@code correlationVariable}; Camunda and Flowable by what the publisher names.
   */
  public TestProcess waitForMessage(String elementId, String messageName, String correlationVariable) {
    steps.add(new String[] {"message", elementId, messageName, correlationVariable});
    return this;
  }

  /** Makes the start event a message start event for {@code messageName}. */
  public TestProcess startOnMessage(String messageName) {
    this.startMessage = messageName;
    return this;
  }

  /** Adds a custom header / extension property to every task (Zeebe headers, Camunda properties). */
  public TestProcess header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Attaches an error boundary event for {@code code} to a task; the error path runs a task of {@code topic}. */
  public TestProcess catchError(String taskElementId, String code, String topic) {
    this.errorTask = taskElementId;
    this.errorCode = code;
    this.errorTopic = topic;
    return this;
  }

  /** The process id (key). */
  public String id() {
    return id;
  }

  /** The resource name to deploy under. */
  public String resourceName() {
    return id + ".bpmn";
  }

  /** The BPMN XML for an engine. */
  public String toXml(Dialect dialect) {
    StringBuilder x = new StringBuilder();
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"")
        .append(" xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\"")
        .append(" xmlns:flowable=\"http://flowable.org/bpmn\"")
        .append(" xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\"")
        .append(" id=\"defs_").append(id).append("\" targetNamespace=\"http://polyworker.io/test\">\n");
    for (String[] step : steps) {
      if (step[0].equals("message")) {
        message(x, dialect, step[2], step[3]);
      }
    }
    if (startMessage != null) {
      message(x, dialect, startMessage, null);
    }
    if (errorCode != null) {
      x.append("  <error id=\"err_").append(id).append("\" errorCode=\"").append(errorCode)
          .append("\" name=\"").append(errorCode).append("\"/>\n");
    }
    x.append("  <process id=\"").append(id).append("\" isExecutable=\"true\"");
    if (dialect == Dialect.CAMUNDA) {
      x.append(" camunda:historyTimeToLive=\"P1D\"");
    }
    x.append(">\n");
    if (startMessage == null) {
      x.append("    <startEvent id=\"start\"/>\n");
    } else {
      x.append("    <startEvent id=\"start\"><messageEventDefinition messageRef=\"msg_")
          .append(startMessage).append("\"/></startEvent>\n");
    }
    String previous = "start";
    for (String[] step : steps) {
      flow(x, previous, step[1]);
      if (step[0].equals("task")) {
        task(x, dialect, step[1], step[2]);
      } else {
        x.append("    <intermediateCatchEvent id=\"").append(step[1])
            .append("\"><messageEventDefinition messageRef=\"msg_").append(step[2])
            .append("\"/></intermediateCatchEvent>\n");
      }
      previous = step[1];
    }
    flow(x, previous, "end");
    x.append("    <endEvent id=\"end\"/>\n");
    if (errorCode != null) {
      x.append("    <boundaryEvent id=\"caught\" attachedToRef=\"").append(errorTask).append("\">\n")
          .append("      <errorEventDefinition errorRef=\"err_").append(id).append("\"/>\n")
          .append("    </boundaryEvent>\n");
      flow(x, "caught", "onError");
      task(x, dialect, "onError", errorTopic);
      flow(x, "onError", "errorEnd");
      x.append("    <endEvent id=\"errorEnd\"/>\n");
    }
    return x.append("  </process>\n</definitions>\n").toString();
  }

  private static void message(StringBuilder x, Dialect dialect, String name, String correlationVariable) {
    x.append("  <message id=\"msg_").append(name).append("\" name=\"").append(name).append('"');
    if (dialect == Dialect.ZEEBE && correlationVariable != null) {
      x.append(">\n    <extensionElements><zeebe:subscription correlationKey=\"=")
          .append(correlationVariable).append("\"/></extensionElements>\n  </message>\n");
    } else {
      x.append("/>\n");
    }
  }

  private static void flow(StringBuilder x, String from, String to) {
    x.append("    <sequenceFlow id=\"f_").append(from).append('_').append(to)
        .append("\" sourceRef=\"").append(from).append("\" targetRef=\"").append(to).append("\"/>\n");
  }

  private void task(StringBuilder x, Dialect dialect, String elementId, String topic) {
    x.append("    <serviceTask id=\"").append(elementId).append('"');
    switch (dialect) {
      case CAMUNDA:
        x.append(" camunda:type=\"external\" camunda:topic=\"").append(topic).append("\">\n");
        if (!headers.isEmpty()) {
          x.append("      <extensionElements><camunda:properties>\n");
          headers.forEach((k, v) -> x.append("        <camunda:property name=\"").append(k)
              .append("\" value=\"").append(v).append("\"/>\n"));
          x.append("      </camunda:properties></extensionElements>\n");
        }
        break;
      case FLOWABLE:
        x.append(" flowable:type=\"external-worker\" flowable:topic=\"").append(topic)
            .append("\" flowable:exclusive=\"false\">\n");
        break;
      case ZEEBE:
        x.append(">\n      <extensionElements>\n        <zeebe:taskDefinition type=\"").append(topic)
            .append("\" retries=\"3\"/>\n");
        if (!headers.isEmpty()) {
          x.append("        <zeebe:taskHeaders>\n");
          headers.forEach((k, v) -> x.append("          <zeebe:header key=\"").append(k)
              .append("\" value=\"").append(v).append("\"/>\n"));
          x.append("        </zeebe:taskHeaders>\n");
        }
        x.append("      </extensionElements>\n");
        break;
      default:
        throw new IllegalArgumentException(dialect.toString());
    }
    x.append("    </serviceTask>\n");
  }
}
