package io.polyworker.units.internal;

import io.polyworker.BpmnError;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads recipient addresses from a variable and checks them against the operator's allow-list of
 * domains. Immutable and thread-safe. Errors name the variable and the position of the address,
 * never the address itself.
 */
public final class MailRecipients {
  /** BPMN error code: an address does not parse, or the server refused it as invalid. */
  public static final String INVALID_RECIPIENT = "MAIL_INVALID_RECIPIENT";
  /** BPMN error code: an address is outside the allowed domains. */
  public static final String RECIPIENT_NOT_ALLOWED = "MAIL_RECIPIENT_NOT_ALLOWED";

  private static final MailRecipients ANY = new MailRecipients(Set.of(), Set.of());

  private final Set<String> domains;
  private final Set<String> parentDomains;

  private MailRecipients(Set<String> domains, Set<String> parentDomains) {
    this.domains = domains;
    this.parentDomains = parentDomains;
  }

  /**
   * Recipients in these domains only; empty allows any. {@code example.com} allows that domain
   * exactly, {@code *.example.com} any of its subdomains (not the domain itself). Case-insensitive.
   *
   * @throws IllegalArgumentException for a blank entry or one that is not a domain name
   */
  public static MailRecipients allowing(Collection<String> allowed) {
    if (allowed.isEmpty()) {
      return ANY;
    }
    Set<String> exact = new TreeSet<>();
    Set<String> parents = new TreeSet<>();
    for (String entry : allowed) {
      if (entry == null || entry.isBlank()) {
        throw new IllegalArgumentException("allowedRecipientDomains contains a blank entry");
      }
      String domain = entry.strip().toLowerCase(Locale.ROOT);
      boolean wildcard = domain.startsWith("*.");
      String name = wildcard ? domain.substring(2) : domain;
      if (name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")
          || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '.')) {
        throw new IllegalArgumentException("allowedRecipientDomains: '" + entry
            + "' is not a domain such as example.com or *.example.com");
      }
      (wildcard ? parents : exact).add(name);
    }
    return new MailRecipients(Set.copyOf(exact), Set.copyOf(parents));
  }

  /** Whether any domain is allowed. */
  public boolean allowsAny() {
    return domains.isEmpty() && parentDomains.isEmpty();
  }

  /**
   * The addresses in variable {@code name}: a string of comma-separated addresses
   * ({@code "Ann <ann@example.com>, bob@example.com"}) or a list of such strings.
   *
   * @param required whether an absent, null or empty variable is an error
   * @throws VariableException when a required variable is missing or empty, or the value is neither a
   *     string nor a list of strings
   * @throws BpmnError {@value #INVALID_RECIPIENT} when an address does not parse,
   *     {@value #RECIPIENT_NOT_ALLOWED} when its domain is not allowed
   */
  public List<InternetAddress> read(Variables variables, String name, boolean required) {
    Object value = variables.contains(name) ? variables.get(name) : null;
    List<String> texts = new ArrayList<>();
    if (value instanceof String s) {
      texts.add(s);
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object element = list.get(i);
        if (!(element instanceof String s)) {
          throw new VariableException("variable '" + name + "': element " + i + " is "
              + (element == null ? "null" : "a " + element.getClass().getSimpleName())
              + ", not a string with an e-mail address", null);
        }
        texts.add(s);
      }
    } else if (value != null) {
      throw new VariableException("variable '" + name + "' is a " + value.getClass().getSimpleName()
          + "; expected a string of comma-separated e-mail addresses or a list of strings", null);
    }
    List<InternetAddress> addresses = new ArrayList<>();
    for (String text : texts) {
      for (InternetAddress address : parse(text, name, addresses.size() + 1)) {
        checkAllowed(address, name, addresses.size() + 1);
        addresses.add(address);
      }
    }
    if (required && addresses.isEmpty()) {
      throw new VariableException("variable '" + name + "' "
          + (value == null ? "is not set (or was not fetched with the job)" : "names no recipient")
          + "; the e-mail needs at least one", null);
    }
    return List.copyOf(addresses);
  }

  private static List<InternetAddress> parse(String text, String name, int position) {
    if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
      throw invalid(name, position, "contains a line break");
    }
    InternetAddress[] parsed;
    try {
      parsed = InternetAddress.parse(text, true);
    } catch (AddressException e) {
      throw invalid(name, position, "does not parse as an e-mail address");
    }
    List<InternetAddress> result = new ArrayList<>();
    for (InternetAddress address : parsed) {
      int at = position + result.size();
      if (address.isGroup()) {
        throw invalid(name, at, "is a group, not a mailbox");
      }
      try {
        address.validate();
      } catch (AddressException e) {
        throw invalid(name, at, "is not a valid e-mail address");
      }
      String mailbox = address.getAddress();
      int sign = mailbox.lastIndexOf('@');
      if (sign <= 0 || sign == mailbox.length() - 1) {
        throw invalid(name, at, "has no domain");
      }
      result.add(address);
    }
    return result;
  }

  private void checkAllowed(InternetAddress address, String name, int position) {
    if (allowsAny()) {
      return;
    }
    String mailbox = address.getAddress();
    String domain = mailbox.substring(mailbox.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    if (domains.contains(domain)) {
      return;
    }
    for (String parent : parentDomains) {
      if (domain.endsWith("." + parent)) {
        return;
      }
    }
    throw new BpmnError(RECIPIENT_NOT_ALLOWED, "variable '" + name + "': recipient " + position
        + " is outside the domains this e-mail task may send to");
  }

  private static BpmnError invalid(String name, int position, String why) {
    return new BpmnError(INVALID_RECIPIENT, "variable '" + name + "': recipient " + position + " "
        + why);
  }

  @Override
  public String toString() {
    if (allowsAny()) {
      return "any domain";
    }
    List<String> all = new ArrayList<>(domains);
    parentDomains.forEach(p -> all.add("*." + p));
    return String.join(", ", new TreeSet<>(all));
  }
}
