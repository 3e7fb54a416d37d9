package io.polyworker.units.internal;

import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * The URL prefixes an operator lets a unit call. A URL is allowed when its scheme, host and port
 * equal a prefix's and its path starts with the prefix's path at a segment boundary. Hosts are
 * compared in OkHttp's canonical form (lower case, IDN as punycode), so {@code API.example.com} and
 * {@code api.example.com} are one host, and {@code api.example.com.evil.net} is another.
 */
public final class AllowList {

  private record Prefix(String scheme, String host, int port, String path) {}

  private final List<Prefix> prefixes = new ArrayList<>();
  private final List<String> shown = new ArrayList<>();

  public AllowList(List<String> urlPrefixes) {
    for (String p : urlPrefixes) {
      HttpUrl url = check(p);
      String path = url.encodedPath();
      prefixes.add(new Prefix(url.scheme(), url.host(), url.port(), path.endsWith("/") ? path : path + "/"));
      shown.add(url.scheme() + "://" + url.host() + ":" + url.port() + path);
    }
  }

  /**
   * The prefix as a URL.
   *
   * @throws IllegalArgumentException when it is not an absolute http(s) URL without user info, query
   *     or fragment
   */
  public static HttpUrl check(String urlPrefix) {
    HttpUrl url = urlPrefix == null ? null : HttpUrl.parse(urlPrefix.strip());
    if (url == null) {
      throw new IllegalArgumentException("allow-list entry is not an absolute http(s) URL: " + urlPrefix);
    }
    if (!url.encodedUsername().isEmpty() || !url.encodedPassword().isEmpty() || url.encodedQuery() != null
        || url.encodedFragment() != null) {
      throw new IllegalArgumentException("allow-list entry must be scheme, host, port and path only: "
          + url.scheme() + "://" + url.host());
    }
    return url;
  }

  /** Whether the unit may call {@code url}. */
  public boolean allows(HttpUrl url) {
    String path = url.encodedPath();
    for (Prefix p : prefixes) {
      if (p.scheme().equals(url.scheme()) && p.host().equals(url.host()) && p.port() == url.port()
          && (path + "/").startsWith(p.path())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "allow=" + shown;
  }
}
