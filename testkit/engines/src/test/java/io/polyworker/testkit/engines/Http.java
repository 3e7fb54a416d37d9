package io.polyworker.testkit.engines;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Minimal JDK HttpClient calls for the tests; JSON is checked by text, no parser on purpose. */
final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private Http() {
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postJson(String url, String json) throws IOException, InterruptedException {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A multipart/form-data POST with one file part, as Camunda's deployment/create expects. */
  static HttpResponse<String> deploy(String restUrl, String deploymentName, String fileName, String content)
      throws IOException, InterruptedException {
    String boundary = "polyworker-" + UUID.randomUUID();
    String body = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"deployment-name\"\r\n\r\n" + deploymentName + "\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"data\"; filename=\"" + fileName + "\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n"
        + "--" + boundary + "--\r\n";
    return CLIENT.send(HttpRequest.newBuilder(URI.create(restUrl + "/deployment/create"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The first string value of {@code "field":"..."} in {@code json}. */
  static String field(String json, String field) {
    Matcher matcher = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!matcher.find()) {
      throw new AssertionError("No \"" + field + "\" in " + json);
    }
    return matcher.group(1);
  }

  /** A one-task BPMN process {@code key} whose service task is an external task on topic {@code topic}. */
  static String externalTaskProcess(String key, String topic) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"\n"
        + "    xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\" id=\"defs\" targetNamespace=\"urn:polyworker:test\">\n"
        + "  <bpmn:process id=\"" + key + "\" isExecutable=\"true\" camunda:historyTimeToLive=\"1\">\n"
        + "    <bpmn:startEvent id=\"start\"/>\n"
        + "    <bpmn:sequenceFlow id=\"toWork\" sourceRef=\"start\" targetRef=\"work\"/>\n"
        + "    <bpmn:serviceTask id=\"work\" camunda:type=\"external\" camunda:topic=\"" + topic + "\"/>\n"
        + "    <bpmn:sequenceFlow id=\"toEnd\" sourceRef=\"work\" targetRef=\"end\"/>\n"
        + "    <bpmn:endEvent id=\"end\"/>\n"
        + "  </bpmn:process>\n"
        + "</bpmn:definitions>\n";
  }
}
