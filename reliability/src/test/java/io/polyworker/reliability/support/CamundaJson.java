package io.polyworker.reliability.support;

/** Camunda external tasks as JSON text, for fake answers. */
public final class CamundaJson {
  private CamundaJson() {}

  /** One external task with a lock an hour long and these variables ({@code {}} for none). */
  public static String task(String id, String topic, String variablesJson) {
    return "{\"id\":\"" + id + "\",\"topicName\":\"" + topic + "\",\"activityId\":\"task\","
        + "\"processInstanceId\":\"pi-" + id + "\",\"processDefinitionKey\":\"p\",\"retries\":null,"
        + "\"lockExpirationTime\":\"2099-01-01T00:00:00.000+0000\",\"workerId\":\"w\",\"priority\":0,"
        + "\"extensionProperties\":{},\"variables\":" + variablesJson + "}";
  }
}
