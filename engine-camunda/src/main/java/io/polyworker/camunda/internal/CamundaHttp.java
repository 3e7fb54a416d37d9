package io.polyworker.camunda.internal;

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
import io.polyworker.camunda.CamundaEngine;
import io.polyworker.support.internal.HttpSettings;
import io.polyworker.support.internal.RestConversation;
import io.polyworker.engine.EngineConfig;
import io.polyworker.internal.Json;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP conversation with Camunda's REST API: {@link RestConversation} (client, auth, JSON calls,
 * bounded answer reading) plus Camunda's URLs and the mapping of its error answers
 * ({@code {"type": "RestException", "message": "..."}}) onto Polyworker's exception hierarchy.
 * Long polls: the socket read timeout is off, each fetch is bounded by the request timeout plus its
 * poll time.
 *
 * <p>A result (complete, failure, BPMN error) that Camunda answers with a 4xx other than 401, 403,
 * 404, 408, 409 and 429, and that is neither a lost lock nor a suspended task, is a
 * {@link ResultRejectedException}: the REST layer refused what the request carries (measured on
 * 7.24: 400 "Cannot convert value '+10000-01-01…' of type 'Date'", 400 "Unsupported value type
 * 'Json'" on a server without Spin), and the same request cannot succeed later. A suspended task
 * (400 "ENGINE-03043 … is suspended") takes the same result once its instance is activated, so it
 * stays a plain {@link PolyworkerException}. A 404 or 405 that is not Camunda's own JSON error comes
 * from whatever else serves the base URL and says so ("no Camunda REST API at ..."). A 500 "Could not
 * parse" on deploy (a resource that is not XML) is an {@link InvalidDefinitionException}. Any other
 * 5xx is never taken for a refusal of the content, even
 * where the content caused it: Camunda answers 500 with the same types ({@code ProcessEngineException},
 * {@code ProcessEnginePersistenceException}) for a variable it cannot serialize or a variable name
 * longer than its column as for a database that is down, so no answer tells the two apart.
 */
final class CamundaHttp extends RestConversation {
  /** Job operations: a 404 there means the job is gone (completed, deleted), not a wrong URL. */
  private static final Set<String> JOB_OPERATIONS =
      Set.of("complete", "fail", "bpmnError", "extendLock", "release");

  CamundaHttp(HttpSettings settings) {
    super(CamundaEngine.ID, settings, true);
  }

  /** The URL of a path below the REST root; segments are encoded. */
  HttpUrl url(String... segments) {
    HttpUrl.Builder b = base().newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  HttpUrl.Builder urlBuilder(String... segments) {
    return url(segments).newBuilder();
  }

  /**
   * A 404 or 405 that is not Camunda's own JSON error (a servlet container's HTML page, a Spring Boot
   * application's error object) means the base URL points at something other than the REST API: a
   * configuration error, not retryable. Everything else goes to {@link #error(String, int, String)}.
   */
  @Override
  protected PolyworkerException error(String operation, HttpUrl url, int status,
      @Nullable String mediaType, String text) {
    String baseUrlSetting = "the base URL (builder baseUrl, setting " + EngineConfig.URL + " / "
        + EngineConfig.envName(EngineConfig.URL) + ")";
    if (isForeignErrorPage(status, mediaType, text)) {
      return new PolyworkerException(CamundaEngine.ID, operation, status, text, "no Camunda REST API at "
          + base() + " (got " + describeAnswer(status, mediaType) + " for " + url.encodedPath()
          + "); " + baseUrlSetting + " usually ends in /engine-rest", null);
    }
    if (status == 404 && isNoSuchResource(text)) {
      // The REST application's own 404 for a path it has no resource for (7.24, Jersey):
      // {"type":"NotFoundException","message":"HTTP 404 Not Found"}: the base URL goes too deep.
      return new PolyworkerException(CamundaEngine.ID, operation, status, text, "no Camunda REST API at "
          + base() + ": the REST application has no resource " + url.encodedPath() + " (got HTTP 404"
          + " Not Found); " + baseUrlSetting + " usually ends in /engine-rest, or in"
          + " /engine-rest/engine/<name> for a named process engine", null);
    }
    if (status == 400 && text.contains("No process engine available")) {
      return new PolyworkerException(CamundaEngine.ID, operation, status, text, "no process engine at "
          + base() + " (got HTTP 400 \"No process engine available\"); " + baseUrlSetting
          + " ends in /engine-rest for the default engine, or in /engine-rest/engine/<name> for an"
          + " engine of that name", null);
    }
    return error(operation, status, text);
  }

  /** Maps a non-2xx answer onto the exception hierarchy. */
  @Override
  protected PolyworkerException error(String operation, int status, String text) {
    String type = "";
    String message = text.isBlank() ? "HTTP " + status : text;
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node != null && node.isObject()) {
        type = node.path("type").asText("");
        if (node.hasNonNull("message")) {
          message = node.get("message").asText();
        }
      }
    } catch (JsonProcessingException e) {
      // not JSON: keep the raw text as the message
    }
    String detail = (type.isEmpty() ? "" : type + ": ") + message;
    String lower = message.toLowerCase(Locale.ROOT);
    if (status == 401 || status == 403) {
      return new AuthenticationException(CamundaEngine.ID, operation, status, text, detail, null);
    }
    if (status == 429) {
      return new BackPressureException(CamundaEngine.ID, operation, status, text, detail, null);
    }
    if ("deploy".equals(operation) && status >= 500 && isParseError(lower)) {
      // 7.24 answers a resource that is not XML at all with 500 ProcessEngineException
      // "ENGINE-09003 Could not parse 'x.bpmn'. Content is not allowed in prolog.", and an unreadable
      // DMN with 500 "ENGINE-22004 Unable to transform DMN resource 'x.dmn'": sending it again
      // cannot help.
      return new InvalidDefinitionException(CamundaEngine.ID, operation, status, text, detail, null);
    }
    if (status >= 500) {
      return new EngineUnavailableException(CamundaEngine.ID, operation, status, text, detail, null);
    }
    if (JOB_OPERATIONS.contains(operation)) {
      if (lower.contains("is locked by") || lower.contains("lock that expired")
          || lower.contains("locked by worker") || lower.contains("not locked")) {
        return new JobLockLostException(CamundaEngine.ID, operation, status, text, detail, null);
      }
      if (status == 404) {
        return new JobAlreadyCompletedException(CamundaEngine.ID, operation, status, text, detail, null);
      }
      if (mayRefuseResult(operation, status) && !lower.contains("is suspended")) {
        return new ResultRejectedException(CamundaEngine.ID, operation, status, text, detail, null);
      }
    }
    if (status == 404 || lower.contains("no matching") || lower.contains("does not exist")) {
      return new NotFoundException(CamundaEngine.ID, operation, status, text, detail, null);
    }
    if ("deploy".equals(operation) && status == 400) {
      return new InvalidDefinitionException(CamundaEngine.ID, operation, status, text, detail, null);
    }
    return new PolyworkerException(CamundaEngine.ID, operation, status, text, detail, null);
  }

  private static boolean isNoSuchResource(String text) {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      return node != null && node.isObject() && "NotFoundException".equals(node.path("type").asText())
          && "HTTP 404 Not Found".equalsIgnoreCase(node.path("message").asText());
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  /** Camunda's answers to a deployment resource it cannot read as XML. */
  private static boolean isParseError(String lower) {
    return lower.contains("engine-09003") || lower.contains("could not parse")
        || lower.contains("error while parsing") || lower.contains("engine-22004")
        || lower.contains("unable to transform");
  }
}
