package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.Document;
import org.junit.jupiter.api.Test;

/** Boundaries of the PII scanners: what ends a token, and which addresses belong to a host name or a longer number. */
class PiiStepTest {
  private static String redact(String text) {
    return new PiiStep(PiiConfig.defaults()).format(new Document("t", text)).text();
  }

  private static void check(String in, String want) {
    assertEquals(want, redact(in), "input: " + in);
  }

  @Test
  void addressesBeforeABracketAreRedacted() {
    // The three lines reported from the SpamAssassin corpus.
    check("Received: from 65.189.7.13 (HELO alumni.rice.edu) by smtp", "Received: from <IP> (HELO alumni.rice.edu) by smtp");
    check("You should not be reporting spam to 64.90.187.2 (apt).", "You should not be reporting spam to <IP> (apt).");
    check("X-Trace: main.gmane.org 1039002418 29641 12.155.117.32 (4 Dec 2002 11:46:58 GMT)",
        "X-Trace: main.gmane.org 1039002418 29641 <IP> (4 Dec 2002 11:46:58 GMT)");
  }

  @Test
  void ipv4Boundaries() {
    check("to 8.8.8.8.", "to <IP>.");
    check("[8.8.8.8] (8.8.8.8) 8.8.8.8:25 http://8.8.8.8/x ip=8.8.8.8, 8.8.8.8/24", "[<IP>] (<IP>) <IP>:25 http://<IP>/x ip=<IP>, <IP>/24");
    check("8.8.8.8\n9.9.9.9", "<IP>\n<IP>");
    // Inside a host name written with dots the address is still redacted; with dashes it is kept.
    check("from dsl.206.191.151.102.evergo.net", "from dsl.<IP>.evergo.net");
    check("65.189.7.13.dsl.example.net and 198.64.154.98-generic", "<IP>.dsl.example.net and <IP>-generic");
    check("host-65-189-7-13.example.net", "host-65-189-7-13.example.net");
    // Not addresses: glued to a word, part of a longer number, leading zeros, octets over 255, non-public ranges.
    for (String kept : new String[] {"v1.2.3.4", "1.2.3.4.5", "5.1.2.3.4", "1.2.3.4-5", "7-8.8.8.8", "1234.5.6.7", "1.2.3.4567",
        "1.02.3.4", "1.2.3.256", "10.1.2.3", "192.168.1.1", "127.0.0.1", "169.254.0.1", "224.0.0.1", "203.0.113.9"}) {
      check(kept, kept);
    }
  }

  @Test
  void ipv6Boundaries() {
    check("2a00:1450:4001:82b::200e (Google)", "<IP> (Google)");
    check("at 2a00:1450:4001:82b::200e: down", "at <IP>: down");
    check("[2a00:1450:4001:82b::200e]:443", "[<IP>]:443");
    for (String kept : new String[] {"fe80::1", "2001:db8::1", "::1", "12:36:23", "x2a00:1450::1", "2a00:1450::1x"}) check(kept, kept);
  }

  @Test
  void numbersDoNotSwallowTheSeparatorBeforeABracket() {
    check("card 4111 1111 1111 1111 (visa)", "card <CREDIT_CARD> (visa)");
    check("card 4111-1111-1111-1111 (visa)", "card <CREDIT_CARD> (visa)");
    check("call 555-123-4567 (home) or +1 415 555 0132 (mobile)", "call <PHONE> (home) or <PHONE> (mobile)");
    check("(020) 7946 0958 (office), 555.123.4567.", "<PHONE> (office), <PHONE>.");
    check("IBAN DE89 3704 0044 0532 0130 00 (bank)", "IBAN <IBAN> (bank)");
  }

  @Test
  void emailBoundaries() {
    check("mailto:a@b.org.", "mailto:<EMAIL>.");
    check("<a.b+c@mail.example.co.uk>", "<<EMAIL>>");
    // A message id broken by a space: the address ends at the last label that can be a top-level domain.
    check("<Pine.LNX.4.33.0208240101180.25180-100000@watcher.mithral.c om>", "<<EMAIL>.c om>");
    // A top-level label continued by a dash or a digit is no domain.
    check("<20020917173852.GB5613@www.NT-NETWORK>", "<20020917173852.GB5613@www.NT-NETWORK>");
    check("x@host.com2 @example.org a@localhost", "x@host.com2 @example.org a@localhost");
  }
}
