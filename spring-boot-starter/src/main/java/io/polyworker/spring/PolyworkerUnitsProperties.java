package io.polyworker.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Work units (polyworker-work-units) registered by property, each under the topic it serves:
 * {@code polyworker.units.http.<topic>.*}, {@code polyworker.units.mail.<topic>.*},
 * {@code polyworker.units.subprocess.<topic>.*}. Only made when polyworker-work-units is on the class
 * path. {@link #toString()} hides header values and passwords.
 */
@ConfigurationProperties(prefix = "polyworker.units")
public class PolyworkerUnitsProperties {

  /** HTTP-call units by topic. */
  private final Map<String, Http> http = new LinkedHashMap<>();
  /** E-mail units by topic. */
  private final Map<String, Mail> mail = new LinkedHashMap<>();
  /** Sub-process units by topic. */
  private final Map<String, SubProcess> subprocess = new LinkedHashMap<>();

  public Map<String, Http> getHttp() { return http; }
  public Map<String, Mail> getMail() { return mail; }
  public Map<String, SubProcess> getSubprocess() { return subprocess; }

  @Override
  public String toString() {
    return "PolyworkerUnitsProperties{http=" + http.keySet() + ", mail=" + mail.keySet() + ", subprocess="
        + subprocess.keySet() + "}";
  }

  /** One HTTP-call unit; see HttpCallUnit. */
  public static class Http {
    /** URL prefixes the unit may call (scheme, host, port, path). Required: without them the start fails. */
    private List<String> allow = new ArrayList<>();
    /** Headers sent with every call, such as Authorization (values never logged). */
    private Map<String, String> headers = new LinkedHashMap<>();
    /** Overall timeout of one call; default 10s. */
    private @Nullable Duration timeout;
    /** Largest response body read; default 1048576 (1 MiB). */
    private @Nullable Long maxResponseBytes;
    /** Most redirects followed, each on the allow-list; default 5. */
    private @Nullable Integer maxRedirects;

    public List<String> getAllow() { return allow; }
    public void setAllow(List<String> allow) { this.allow = new ArrayList<>(allow); }
    public Map<String, String> getHeaders() { return headers; }
    public void setHeaders(Map<String, String> headers) { this.headers = new LinkedHashMap<>(headers); }
    public @Nullable Duration getTimeout() { return timeout; }
    public void setTimeout(@Nullable Duration timeout) { this.timeout = timeout; }
    public @Nullable Long getMaxResponseBytes() { return maxResponseBytes; }
    public void setMaxResponseBytes(@Nullable Long maxResponseBytes) { this.maxResponseBytes = maxResponseBytes; }
    public @Nullable Integer getMaxRedirects() { return maxRedirects; }
    public void setMaxRedirects(@Nullable Integer maxRedirects) { this.maxRedirects = maxRedirects; }
  }

  /** One e-mail unit; see EmailUnit. */
  public static class Mail {
    /** The SMTP server. Required. */
    private @Nullable String host;
    /** The SMTP port; default by TLS mode: 587 (STARTTLS), 465 (SMTPS), 25 (NONE). */
    private @Nullable Integer port;
    /** NONE, STARTTLS (required, the default) or SMTPS. */
    private @Nullable String tls;
    /** SMTP user name. */
    private @Nullable String username;
    /** SMTP password (never logged). */
    private @Nullable String password;
    /** The sender; default: the user name when it is an address. */
    private @Nullable String from;
    /** Subject template ({{name}} placeholders). Required. */
    private @Nullable String subject;
    /** Plain-text body template. */
    private @Nullable String text;
    /** HTML body template (values HTML-escaped). */
    private @Nullable String html;
    /** Recipient domains allowed (example.com, *.example.com); default: any. */
    private List<String> allowedRecipientDomains = new ArrayList<>();

    public @Nullable String getHost() { return host; }
    public void setHost(@Nullable String host) { this.host = host; }
    public @Nullable Integer getPort() { return port; }
    public void setPort(@Nullable Integer port) { this.port = port; }
    public @Nullable String getTls() { return tls; }
    public void setTls(@Nullable String tls) { this.tls = tls; }
    public @Nullable String getUsername() { return username; }
    public void setUsername(@Nullable String username) { this.username = username; }
    public @Nullable String getPassword() { return password; }
    public void setPassword(@Nullable String password) { this.password = password; }
    public @Nullable String getFrom() { return from; }
    public void setFrom(@Nullable String from) { this.from = from; }
    public @Nullable String getSubject() { return subject; }
    public void setSubject(@Nullable String subject) { this.subject = subject; }
    public @Nullable String getText() { return text; }
    public void setText(@Nullable String text) { this.text = text; }
    public @Nullable String getHtml() { return html; }
    public void setHtml(@Nullable String html) { this.html = html; }
    public List<String> getAllowedRecipientDomains() { return allowedRecipientDomains; }
    public void setAllowedRecipientDomains(List<String> domains) { this.allowedRecipientDomains = new ArrayList<>(domains); }
  }

  /** One sub-process unit; see SubProcessUnit. */
  public static class SubProcess {
    /** The process key to start. Required. */
    private @Nullable String processKey;
    /** Variables passed as parent name → child name; empty: all readable variables. */
    private Map<String, String> inputs = new LinkedHashMap<>();
    /** With await: child variable → parent name; empty: all of the child's variables. */
    private Map<String, String> outputs = new LinkedHashMap<>();
    /** Wait up to this long for the child's end; unset: do not wait. */
    private @Nullable Duration await;

    public @Nullable String getProcessKey() { return processKey; }
    public void setProcessKey(@Nullable String processKey) { this.processKey = processKey; }
    public Map<String, String> getInputs() { return inputs; }
    public void setInputs(Map<String, String> inputs) { this.inputs = new LinkedHashMap<>(inputs); }
    public Map<String, String> getOutputs() { return outputs; }
    public void setOutputs(Map<String, String> outputs) { this.outputs = new LinkedHashMap<>(outputs); }
    public @Nullable Duration getAwait() { return await; }
    public void setAwait(@Nullable Duration await) { this.await = await; }
  }
}
