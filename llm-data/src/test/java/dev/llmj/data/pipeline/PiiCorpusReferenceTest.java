package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.ReaderOptions;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The default pipeline over the whole SpamAssassin mail corpus (all five files, as {@code llm
 * prepare} runs it), every kept document checked by a reference that shares no code with the PII
 * step: {@code java.util.regex} candidates, the JDK's own IPv6 parser, and range, Luhn and issuer
 * tables written here from the documented definitions. No public address (standing on its own or
 * inside a host name written with dots), no e-mail address and no card number may remain.
 */
class PiiCorpusReferenceTest {
  static final Path CORPORA = Path.of("src/test/resources/corpora");

  /** A letter, digit or underscore: what joins a number to a word. */
  private static final String W = "[\\p{L}\\p{N}_]";

  /**
   * A dotted quad standing on its own: not glued to a word character, and not joined by '.' or '-'
   * to a host-name label on either side ({@code dsl.206.191.151.102.evergo.net} is a host name).
   */
  static final Pattern IPV4 = Pattern.compile(
      "(?<!" + W + ")(?<!" + W + "[.-])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?!" + W + ")(?![.-]" + W + ")");

  /**
   * A dotted quad that is not part of a longer number or word, host names included: the PII step
   * redacts these too ({@code dsl.<IP>.evergo.net}), the stricter of the two promises.
   */
  static final Pattern IPV4_ANYWHERE = Pattern.compile(
      "(?<!" + W + ")(?<!\\d[.-])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?!" + W + ")(?![.-]\\d)");

  /** A run of hex digits and colons with two colons or more; one trailing colon is punctuation. */
  static final Pattern IPV6 = Pattern.compile("(?<![\\p{L}\\p{N}_.:])([0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:]*)(?![\\p{L}\\p{N}_])");

  /** Local part, '@', labels, and an alphabetic top-level label that no letter, digit or dash continues. */
  static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![A-Za-z0-9-])");

  /** Digits in groups joined by single spaces or dashes, as card numbers are written. */
  static final Pattern DIGIT_RUN = Pattern.compile("(?<![\\p{L}\\p{N}_.+-])\\d+(?:[ -]\\d+)*(?![\\p{L}\\p{N}_])");

  /** The non-public IPv4 blocks the README and {@code PiiConfig} name (RFC 6890 special-purpose and the class D/E space). */
  static final List<String> NOT_PUBLIC = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
      "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
      "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4");

  static boolean publicV4(Matcher m) {
    long value = 0;
    for (int g = 1; g <= 4; g++) {
      String octet = m.group(g);
      if (octet.length() > 1 && octet.startsWith("0")) return false; // a version number, not an address
      int v = Integer.parseInt(octet);
      if (v > 255) return false;
      value = value << 8 | v;
    }
    for (String block : NOT_PUBLIC) {
      String[] p = block.split("/");
      long base = 0;
      for (String o : p[0].split("\\.")) base = base << 8 | Integer.parseInt(o);
      long mask = (0xffffffffL << (32 - Integer.parseInt(p[1]))) & 0xffffffffL;
      if ((value & mask) == base) return false;
    }
    return true;
  }

  /** Global unicast 2000::/3 outside the documentation block 2001:db8::/32, parsed by the JDK (a literal with ':' is never looked up). */
  static boolean publicV6(String s) {
    if (s.endsWith(":") && !s.endsWith("::")) s = s.substring(0, s.length() - 1);
    if (s.chars().filter(c -> c == ':').count() < 2) return false;
    InetAddress a;
    try {
      a = InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return false;
    }
    if (!(a instanceof Inet6Address)) return false;
    byte[] b = a.getAddress();
    boolean documentation = (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8;
    return (b[0] & 0xe0) == 0x20 && !documentation;
  }

  /** Luhn mod 10 and the issuer prefix and length of the networks the README names. */
  static boolean card(String run) {
    String d = run.replaceAll("[ -]", "");
    int n = d.length();
    if (n < 13 || n > 19) return false;
    int sum = 0;
    boolean twice = false;
    for (int i = n - 1; i >= 0; i--) {
      int v = d.charAt(i) - '0';
      if (twice) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
      twice = !twice;
    }
    if (sum % 10 != 0) return false;
    int two = Integer.parseInt(d.substring(0, 2));
    int four = Integer.parseInt(d.substring(0, 4));
    if (d.startsWith("4")) return n == 13 || n == 16 || n == 19; // Visa
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return n == 16; // Mastercard
    if (two == 34 || two == 37) return n == 15; // American Express
    if (four == 6011 || two == 65 || (four >= 6440 && four <= 6499) || two == 35) return n >= 16; // Discover, JCB
    return (two == 36 || two == 38 || (four >= 3000 && four <= 3059)) && n >= 14; // Diners
  }

  /** What the reference finds in one text, by kind, with examples. */
  static Map<String, List<String>> leaks(String t) {
    Map<String, List<String>> found = new TreeMap<>();
    for (Matcher m = IPV4.matcher(t); m.find(); ) if (publicV4(m)) add(found, "ipv4", t, m);
    for (Matcher m = IPV4_ANYWHERE.matcher(t); m.find(); ) if (publicV4(m)) add(found, "ipv4_in_host_name", t, m);
    for (Matcher m = IPV6.matcher(t); m.find(); ) if (publicV6(m.group(1))) add(found, "ipv6", t, m);
    for (Matcher m = EMAIL.matcher(t); m.find(); ) add(found, "email", t, m);
    for (Matcher m = DIGIT_RUN.matcher(t); m.find(); ) if (card(m.group())) add(found, "card", t, m);
    return found;
  }

  private static void add(Map<String, List<String>> found, String kind, String t, Matcher m) {
    String line = t.substring(Math.max(0, m.start() - 50), Math.min(t.length(), m.end() + 30)).replace('\n', ' ');
    found.computeIfAbsent(kind, k -> new ArrayList<>()).add(m.group() + "   in: ..." + line + "...");
  }

  @Test
  void referenceFindsTheReportedLinesAndNotHostNames() {
    List<String> both = List.of("ipv4", "ipv4_in_host_name");
    assertEquals(both, List.copyOf(leaks("Received: from 65.189.7.13 (HELO alumni.rice.edu) by x").keySet()));
    assertEquals(both, List.copyOf(leaks("You should not be reporting spam to 64.90.187.2 (apt).").keySet()));
    assertEquals(both, List.copyOf(leaks("X-Trace: main.gmane.org 1039002418 29641 12.155.117.32 (4 Dec 2002").keySet()));
    assertEquals(both, List.copyOf(leaks("the end: 8.8.8.8.").keySet()));
    for (String host : List.of("from dsl.206.191.151.102.evergo.net", "65.189.7.13.dsl.example.net", "ip-65.189.7.13", "198.64.154.98-generic")) {
      assertEquals(List.of("ipv4_in_host_name"), List.copyOf(leaks(host).keySet()), host);
    }
    for (String clean : List.of("host-65-189-7-13", "version 1.02.3.4", "1.2.3.256", "10.1.2.3", "v1.2.3.4", "1.2.3.4.5", "192.168.1.1", "fe80::1",
        "2001:db8::1", "12:36:23", "4111 1111 1111 1112", "order 1234567890123", "1.2.3.4-5", "7-8.8.8.8")) {
      assertEquals(Map.of(), leaks(clean), clean);
    }
    assertEquals(List.of("card", "email", "ipv6"),
        List.copyOf(leaks("a@b.org 2a00:1450:4001:82b::200e: 4111-1111-1111-1111").keySet()));
  }

  @Test
  void noPublicAddressEmailOrCardRemainsInTheMailCorpus() throws Exception {
    List<Path> mail;
    try (Stream<Path> files = Files.list(CORPORA)) {
      mail = files.filter(p -> p.getFileName().toString().startsWith("spamassassin-")).sorted().toList();
    }
    assertEquals(5, mail.size(), "the five SpamAssassin files in " + CORPORA.toAbsolutePath());
    CorpusPipelineTest.ListSink kept = new CorpusPipelineTest.ListSink();
    Pipeline p = Pipeline.builder().steps(Steps.defaults()).threads(Runtime.getRuntime().availableProcessors()).build();
    PipelineStats s = p.run(() -> Corpus.read(mail, ReaderOptions.defaults()), kept, DocumentSink.discard());
    System.out.print(s.toTable());

    Map<String, Integer> leakCounts = new TreeMap<>();
    int shown = 0;
    for (Document d : kept.docs) {
      for (Map.Entry<String, List<String>> e : leaks(d.text()).entrySet()) {
        leakCounts.merge(e.getKey(), e.getValue().size(), Integer::sum);
        for (String example : e.getValue()) {
          if (shown++ < 40) System.out.println("left in " + d.id() + " (" + e.getKey() + "): " + example);
        }
      }
    }
    // The placeholders counted in the output, independently of the step's own counters.
    Map<String, Long> placeholders = new TreeMap<>();
    for (String kind : List.of("EMAIL", "IP", "CREDIT_CARD", "PHONE", "IBAN")) {
      Pattern tag = Pattern.compile("<" + kind + ">");
      long c = kept.docs.stream().mapToLong(d -> tag.matcher(d.text()).results().count()).sum();
      placeholders.put(kind.toLowerCase(java.util.Locale.ROOT), c);
    }
    Map<String, Long> counters = s.step("pii").counters();
    System.out.println("kept documents: " + kept.docs.size() + ", redacted (placeholders in the output): " + placeholders
        + ", step counters: " + counters + ", left by the reference: " + leakCounts);
    assertEquals(Map.of(), leakCounts, "public IPv4/IPv6, e-mail addresses or card numbers left in kept documents");
    // The step's counters are the placeholders in the output (the corpus itself holds none of these tags).
    for (Map.Entry<String, Long> e : placeholders.entrySet()) assertEquals(e.getValue(), counters.get(e.getKey()), e.getKey());
    // Measured 61,355 e-mail addresses and 10,715 addresses (2026-12-02); a drop means the step finds less.
    assertTrue(placeholders.get("email") >= 61_000, "mail headers are full of addresses: " + placeholders);
    assertTrue(placeholders.get("ip") >= 10_500, "Received headers are full of public IPs: " + placeholders);
  }
}
