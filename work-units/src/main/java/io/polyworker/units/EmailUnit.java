package io.polyworker.units;

import io.polyworker.BpmnError;
import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import io.polyworker.units.internal.MailRecipients;
import io.polyworker.units.internal.SmtpFailures;
import io.polyworker.units.internal.VariableTemplate;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an e-mail over SMTP (Jakarta Mail with Eclipse Angus) from templates filled with process
 * variables. Immutable and thread-safe; one instance per registration (topic), made with
 * {@link #builder()}. Every send opens its own SMTP connection.
 *
 * <p>The operator fixes the server, the sender and the templates; the process supplies recipients
 * ({@code mail_to}, {@code mail_cc}) and the values the templates name. The unit completes the job
 * with the sent message's {@code Message-ID} in {@code mail_message_id}.
 *
 * <table>
 *   <caption>Outcomes</caption>
 *   <tr><th>situation</th><th>outcome</th></tr>
 *   <tr><td>sent</td><td>complete, {@code mail_message_id} = the Message-ID, angle brackets included</td></tr>
 *   <tr><td>a recipient does not parse, or the server rejects it with 5xx on RCPT</td><td>BPMN error {@value #INVALID_RECIPIENT}</td></tr>
 *   <tr><td>a recipient outside {@link Builder#allowedRecipientDomains}</td><td>BPMN error {@value #RECIPIENT_NOT_ALLOWED}</td></tr>
 *   <tr><td>{@code mail_to} missing or empty, a variable of the wrong type, a template value missing</td><td>{@link JobResult#fail} with retries 0 (an incident): retrying cannot help</td></tr>
 *   <tr><td>no connection, time-out, 4xx reply, login refused, other 5xx replies</td><td>throws {@link MailDeliveryException}: a failure with the runtime's retries and backoff</td></tr>
 * </table>
 *
 * <p>Logs only the topic, the job id and the kind of outcome; never addresses, variable values,
 * message text or the password.
 */
public final class EmailUnit implements JobHandler {
  /** BPMN error code: a recipient does not parse, or the SMTP server rejected it (5xx on RCPT). */
  public static final String INVALID_RECIPIENT = MailRecipients.INVALID_RECIPIENT;
  /** BPMN error code: a recipient's domain is not in {@link Builder#allowedRecipientDomains}. */
  public static final String RECIPIENT_NOT_ALLOWED = MailRecipients.RECIPIENT_NOT_ALLOWED;

  private static final Logger LOG = LoggerFactory.getLogger(EmailUnit.class);

  /** How the connection to the SMTP server is secured. */
  public enum Tls {
    /** Plain text; only for a relay on localhost or a trusted network. Default port 25. */
    NONE(25),
    /** Upgrade with STARTTLS, and refuse a server that does not offer it. Default port 587. */
    STARTTLS(587),
    /** TLS from the first byte (SMTPS, "implicit TLS"). Default port 465. */
    SMTPS(465);

    private final int defaultPort;

    Tls(int defaultPort) {
      this.defaultPort = defaultPort;
    }

    /** The port used when {@link Builder#port} is not set. */
    public int defaultPort() {
      return defaultPort;
    }
  }

  private final String host;
  private final int port;
  private final Tls tls;
  private final @Nullable String username;
  private final @Nullable String password;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final @Nullable SSLContext sslContext;
  private final InternetAddress from;
  private final VariableTemplate subject;
  private final @Nullable VariableTemplate text;
  private final @Nullable VariableTemplate html;
  private final MailRecipients recipients;
  private final String toVariable;
  private final String ccVariable;
  private final String messageIdVariable;
  private final Session session;

  private EmailUnit(Builder b, InternetAddress from) {
    this.host = Objects.requireNonNull(b.host);
    this.tls = b.tls;
    this.port = b.port > 0 ? b.port : b.tls.defaultPort();
    this.username = b.username;
    this.password = b.password;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.sslContext = b.sslContext;
    this.from = from;
    this.subject = VariableTemplate.parse("subject", Objects.requireNonNull(b.subject));
    this.text = b.text == null ? null : VariableTemplate.parse("text", b.text);
    this.html = b.html == null ? null : VariableTemplate.parse("html", b.html);
    this.recipients = MailRecipients.allowing(b.allowedDomains);
    this.toVariable = b.toVariable;
    this.ccVariable = b.ccVariable;
    this.messageIdVariable = b.messageIdVariable;
    this.session = Session.getInstance(sessionProperties());
  }

  /** A builder without server, sender or templates, which {@link Builder#build()} requires. */
  public static Builder builder() {
    return new Builder();
  }

  private String protocol() {
    return tls == Tls.SMTPS ? "smtps" : "smtp";
  }

  private Properties sessionProperties() {
    String p = "mail." + protocol() + ".";
    Properties props = new Properties();
    props.setProperty("mail.transport.protocol", protocol());
    props.setProperty(p + "host", host);
    props.setProperty(p + "port", Integer.toString(port));
    props.setProperty(p + "connectiontimeout", Long.toString(connectTimeout.toMillis()));
    props.setProperty(p + "timeout", Long.toString(readTimeout.toMillis()));
    props.setProperty(p + "writetimeout", Long.toString(readTimeout.toMillis()));
    props.setProperty(p + "auth", Boolean.toString(username != null));
    if (tls == Tls.STARTTLS) {
      props.setProperty(p + "starttls.enable", "true");
      props.setProperty(p + "starttls.required", "true");
    }
    props.setProperty(p + "ssl.checkserveridentity", "true");
    if (sslContext != null) {
      props.put(p + "ssl.socketFactory", sslContext.getSocketFactory());
    }
    // The Message-ID's domain comes from here instead of a look-up of the local host name.
    props.setProperty("mail.from", from.getAddress());
    return props;
  }

  /**
   * The variables this unit reads: the recipient variables and the first segment of every
   * placeholder. Pass them to {@code SubscriptionOptions.builder().variables(...)} to fetch no more.
   */
  public List<String> variableNames() {
    Set<String> names = new LinkedHashSet<>(List.of(toVariable, ccVariable));
    names.addAll(subject.variableNames());
    if (text != null) {
      names.addAll(text.variableNames());
    }
    if (html != null) {
      names.addAll(html.variableNames());
    }
    return List.copyOf(names);
  }

  @Override
  public JobResult handle(Job job) {
    Variables variables = job.variables();
    MimeMessage message;
    try {
      List<InternetAddress> to = recipients.read(variables, toVariable, true);
      List<InternetAddress> cc = recipients.read(variables, ccVariable, false);
      message = compose(variables, to, cc);
    } catch (BpmnError e) {
      LOG.debug("topic {}: job {}: e-mail not sent, BPMN error {}", job.topic(), job.id(),
          e.errorCode());
      return JobResult.bpmnError(e.errorCode(), e.getMessage());
    } catch (VariableException e) {
      LOG.debug("topic {}: job {}: e-mail not sent, a variable is missing or unusable", job.topic(),
          job.id());
      return JobResult.fail(e.getMessage(), null, 0, Duration.ZERO);
    } catch (MessagingException e) {
      // Building a message in memory fails only on a defect, not on input; retrying cannot help.
      return JobResult.fail("the e-mail could not be composed ("
          + e.getClass().getSimpleName() + ")", null, 0, Duration.ZERO);
    }
    try {
      send(message);
      String messageId = Objects.requireNonNull(message.getMessageID(), "Message-ID");
      LOG.debug("topic {}: job {}: e-mail sent", job.topic(), job.id());
      return JobResult.complete(Map.of(messageIdVariable, messageId));
    } catch (MessagingException e) {
      SmtpFailures.Failure failure = SmtpFailures.classify(e);
      LOG.debug("topic {}: job {}: e-mail not sent: {} (reply {})", job.topic(), job.id(),
          failure.kind(), failure.replyCode());
      if (failure.recipientRejected()) {
        return JobResult.bpmnError(INVALID_RECIPIENT, "SMTP server " + host + ":" + port
            + ": " + failure.kind() + (failure.replyCode() > 0 ? " (" + failure.replyCode() + ")"
            : ""));
      }
      throw new MailDeliveryException(failure.replyCode(), "SMTP server " + host + ":" + port + ": "
          + failure.kind(), failure.retryable());
    }
  }

  private MimeMessage compose(Variables variables, List<InternetAddress> to,
      List<InternetAddress> cc) throws MessagingException {
    String subjectLine = oneLine(subject.render(variables, UnaryOperator.identity()));
    String textBody = text == null ? null : text.render(variables, UnaryOperator.identity());
    String htmlBody = html == null ? null : html.render(variables, VariableTemplate::html);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(from);
    message.setRecipients(Message.RecipientType.TO, to.toArray(new InternetAddress[0]));
    if (!cc.isEmpty()) {
      message.setRecipients(Message.RecipientType.CC, cc.toArray(new InternetAddress[0]));
    }
    message.setSubject(subjectLine, StandardCharsets.UTF_8.name());
    message.setSentDate(new Date());
    if (textBody != null && htmlBody != null) {
      MimeMultipart alternative = new MimeMultipart("alternative");
      MimeBodyPart plain = new MimeBodyPart();
      plain.setText(textBody, StandardCharsets.UTF_8.name());
      MimeBodyPart rich = new MimeBodyPart();
      rich.setText(htmlBody, StandardCharsets.UTF_8.name(), "html");
      alternative.addBodyPart(plain);
      alternative.addBodyPart(rich);
      message.setContent(alternative);
    } else if (htmlBody != null) {
      message.setText(htmlBody, StandardCharsets.UTF_8.name(), "html");
    } else {
      message.setText(Objects.requireNonNull(textBody), StandardCharsets.UTF_8.name());
    }
    return message;
  }

  /** Replaces CR, LF and every other control character by a space: no header injection. */
  static String oneLine(String value) {
    StringBuilder out = new StringBuilder(value.length());
    value.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return out.toString();
  }

  private void send(MimeMessage message) throws MessagingException {
    Transport transport = session.getTransport(protocol());
    try {
      transport.connect(host, port, username, password);
      message.saveChanges();
      transport.sendMessage(message, message.getAllRecipients());
    } finally {
      try {
        transport.close();
      } catch (MessagingException e) {
        // QUIT failing changes nothing: the server has taken the message or already refused it.
        // Failing the job here would send an accepted message again.
        LOG.debug("closing the SMTP connection failed ({})", e.getClass().getSimpleName());
      }
    }
  }

  /** Shows the settings; the password as {@code ****}, and neither templates nor variables' values. */
  @Override
  public String toString() {
    return "EmailUnit{host=" + host + ", port=" + port + ", tls=" + tls + ", username=" + username
        + ", password=" + (password == null ? "none" : "****") + ", connectTimeout="
        + connectTimeout + ", readTimeout=" + readTimeout + ", sslContext="
        + (sslContext == null ? "default" : sslContext.getProtocol()) + ", from=" + from.getAddress()
        + ", body=" + (text != null ? (html != null ? "text+html" : "text") : "html")
        + ", allowedRecipientDomains=" + recipients + ", variables=" + variableNames()
        + ", messageIdVariable=" + messageIdVariable + "}";
  }

  /** Builds an {@link EmailUnit}. Every setter checks its argument and names the option. Not thread-safe. */
  public static final class Builder {
    private @Nullable String host;
    private int port;
    private Tls tls = Tls.STARTTLS;
    private @Nullable String username;
    private @Nullable String password;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(30);
    private @Nullable SSLContext sslContext;
    private @Nullable String from;
    private @Nullable String subject;
    private @Nullable String text;
    private @Nullable String html;
    private List<String> allowedDomains = List.of();
    private String toVariable = "mail_to";
    private String ccVariable = "mail_cc";
    private String messageIdVariable = "mail_message_id";

    private Builder() {}

    /** The SMTP server's host name. Required. */
    public Builder host(String v) {
      host = notBlank(v, "host");
      return this;
    }

    /** The SMTP server's port, 1 to 65535. Default: 25, 587 or 465 for {@link Tls#NONE}, {@link Tls#STARTTLS}, {@link Tls#SMTPS}. */
    public Builder port(int v) {
      if (v < 1 || v > 65535) {
        throw new IllegalArgumentException("port out of 1..65535: " + v);
      }
      port = v;
      return this;
    }

    /** How the connection is secured. Default {@link Tls#STARTTLS} (required, not opportunistic). */
    public Builder tls(Tls v) {
      tls = Objects.requireNonNull(v, "tls");
      return this;
    }

    /**
     * Log in with these credentials (SMTP AUTH). Default: no login. The password is a secret: it is
     * never logged and {@link EmailUnit#toString()} shows {@code ****}.
     */
    public Builder credentials(String username, String password) {
      this.username = notBlank(username, "username");
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("password is empty");
      }
      this.password = password;
      return this;
    }

    /** How long connecting may take, more than 0. Default 10 s. */
    public Builder connectTimeout(Duration v) {
      connectTimeout = positive(v, "connectTimeout");
      return this;
    }

    /** How long one read from, or write to, the server may block, more than 0. Default 30 s. */
    public Builder readTimeout(Duration v) {
      readTimeout = positive(v, "readTimeout");
      return this;
    }

    /**
     * The TLS context for {@link Tls#STARTTLS} and {@link Tls#SMTPS}: trust for a server whose
     * certificate a private CA signed, a client certificate, protocols. Default: the JVM's default
     * context (its trust store). The server's host name is checked against its certificate either way.
     */
    public Builder sslContext(SSLContext v) {
      sslContext = notNull(v, "sslContext");
      return this;
    }

    /**
     * The sender, such as {@code Orders <orders@example.com>}; also the envelope sender. Default: the
     * username, when it is an e-mail address. Fixed by the operator: the process cannot change it.
     */
    public Builder from(String v) {
      from = notBlank(v, "from");
      address(from, "from");
      return this;
    }

    /** The subject template ({@code {{name}}} placeholders, values not escaped, line breaks removed). Required. */
    public Builder subject(String template) {
      VariableTemplate.parse("subject", notNull(template, "subject"));
      subject = template;
      return this;
    }

    /** The plain-text body template (values not escaped). Text, HTML or both are required. */
    public Builder text(String template) {
      VariableTemplate.parse("text", notNull(template, "text"));
      text = template;
      return this;
    }

    /** The HTML body template (values HTML-escaped). Text, HTML or both are required. */
    public Builder html(String template) {
      VariableTemplate.parse("html", notNull(template, "html"));
      html = template;
      return this;
    }

    /**
     * Recipients (to and cc) only in these domains: {@code example.com} exactly, {@code *.example.com}
     * for its subdomains. Default: empty, any domain. A recipient outside them is a BPMN error
     * {@value EmailUnit#RECIPIENT_NOT_ALLOWED}, and nothing is sent.
     */
    public Builder allowedRecipientDomains(List<String> domains) {
      MailRecipients.allowing(notNull(domains, "allowedRecipientDomains"));
      allowedDomains = List.copyOf(domains);
      return this;
    }

    /** See {@link #allowedRecipientDomains(List)}. */
    public Builder allowedRecipientDomains(String... domains) {
      return allowedRecipientDomains(List.of(domains));
    }

    /** The variable with the recipients. Default {@code mail_to}. */
    public Builder toVariable(String name) {
      toVariable = notBlank(name, "toVariable");
      return this;
    }

    /** The variable with the cc recipients (optional in the process). Default {@code mail_cc}. */
    public Builder ccVariable(String name) {
      ccVariable = notBlank(name, "ccVariable");
      return this;
    }

    /** The variable that receives the Message-ID. Default {@code mail_message_id}. */
    public Builder messageIdVariable(String name) {
      messageIdVariable = notBlank(name, "messageIdVariable");
      return this;
    }

    /**
     * The unit.
     *
     * @throws IllegalStateException when host, subject or a body is missing, or neither from nor a
     *     username that is an e-mail address is given
     */
    public EmailUnit build() {
      if (host == null) {
        throw new IllegalStateException("host is not set");
      }
      if (subject == null) {
        throw new IllegalStateException("subject is not set");
      }
      if (text == null && html == null) {
        throw new IllegalStateException("neither text nor html is set; the e-mail needs a body");
      }
      if (toVariable.equals(ccVariable)) {
        throw new IllegalStateException("toVariable and ccVariable are both '" + toVariable + "'");
      }
      String sender = from != null ? from : username;
      if (sender == null) {
        throw new IllegalStateException("from is not set (and there is no username to default to)");
      }
      InternetAddress fromAddress;
      try {
        fromAddress = address(sender, from != null ? "from" : "from (defaulted to the username)");
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return new EmailUnit(this, fromAddress);
    }

    private static InternetAddress address(String value, String option) {
      try {
        InternetAddress address = new InternetAddress(value, true);
        address.validate();
        if (address.getAddress().indexOf('@') <= 0) {
          throw new AddressException("no domain");
        }
        return address;
      } catch (AddressException e) {
        throw new IllegalArgumentException(option + " is not an e-mail address such as"
            + " orders@example.com");
      }
    }

    private static <T> T notNull(@Nullable T v, String name) {
      if (v == null) {
        throw new IllegalArgumentException(name + " is null");
      }
      return v;
    }

    private static String notBlank(@Nullable String v, String name) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(name + " is blank");
      }
      return v;
    }

    private static Duration positive(@Nullable Duration v, String name) {
      if (v == null) {
        throw new IllegalArgumentException(name + " is null");
      }
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + v);
      }
      return v;
    }
  }
}
