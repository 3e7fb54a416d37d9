package io.polyworker.spring.internal;

import io.polyworker.ProcessClient;
import io.polyworker.spring.PolyworkerUnitsProperties;
import io.polyworker.spring.TopicHandler;
import io.polyworker.units.EmailUnit;
import io.polyworker.units.HttpCallUnit;
import io.polyworker.units.SubProcessUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The work units {@code polyworker.units.*} describes, built through their public builders; a value a
 * builder refuses fails the start with the property's name.
 */
public final class UnitRegistrations {

  private UnitRegistrations() {}

  /**
   * Builds every configured unit, HTTP, then mail, then sub-process units; the process client is
   * asked for only when a sub-process unit exists.
   */
  public static TopicHandlers of(PolyworkerUnitsProperties p, Supplier<ProcessClient> processClient) {
    List<TopicHandler> out = new ArrayList<>();
    p.getHttp().forEach((topic, h) -> out.add(new TopicHandler(topic, build("polyworker.units.http." + topic, () -> {
      if (h.getAllow().isEmpty()) {
        throw new IllegalStateException("an HTTP unit needs the URL prefixes it may call (allow)");
      }
      HttpCallUnit.Builder b = HttpCallUnit.builder();
      h.getAllow().forEach(b::allow);
      h.getHeaders().forEach(b::header);
      if (h.getTimeout() != null) {
        b.timeout(h.getTimeout());
      }
      if (h.getMaxResponseBytes() != null) {
        b.maxResponseBytes(h.getMaxResponseBytes());
      }
      if (h.getMaxRedirects() != null) {
        b.maxRedirects(h.getMaxRedirects());
      }
      return b.build();
    }))));
    p.getMail().forEach((topic, m) -> out.add(new TopicHandler(topic, build("polyworker.units.mail." + topic, () -> {
      EmailUnit.Builder b = EmailUnit.builder();
      if (m.getHost() != null) {
        b.host(m.getHost());
      }
      if (m.getTls() != null) {
        b.tls(EmailUnit.Tls.valueOf(m.getTls().strip().toUpperCase(Locale.ROOT)));
      }
      if (m.getPort() != null) {
        b.port(m.getPort());
      }
      if (m.getUsername() != null) {
        b.credentials(m.getUsername(), m.getPassword() == null ? "" : m.getPassword());
      }
      if (m.getFrom() != null) {
        b.from(m.getFrom());
      }
      if (m.getSubject() != null) {
        b.subject(m.getSubject());
      }
      if (m.getText() != null) {
        b.text(m.getText());
      }
      if (m.getHtml() != null) {
        b.html(m.getHtml());
      }
      if (!m.getAllowedRecipientDomains().isEmpty()) {
        b.allowedRecipientDomains(m.getAllowedRecipientDomains());
      }
      return b.build();
    }))));
    p.getSubprocess().forEach((topic, s) -> out.add(new TopicHandler(topic,
        build("polyworker.units.subprocess." + topic, () -> {
          SubProcessUnit.Builder b = SubProcessUnit.builder(processClient.get());
          if (s.getProcessKey() != null) {
            b.processKey(s.getProcessKey());
          }
          s.getInputs().forEach(b::input);
          if (s.getAwait() != null) {
            b.awaitResult(s.getAwait());
          }
          s.getOutputs().forEach(b::output);
          return b.build();
        }))));
    return new TopicHandlers(out);
  }

  private static <T> T build(String property, Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidConfigurationPropertyValueException(property, "(the unit's settings)", e.getMessage());
    }
  }
}
