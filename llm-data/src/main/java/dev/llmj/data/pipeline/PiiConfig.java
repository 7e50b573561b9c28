package dev.llmj.data.pipeline;

/**
 * Settings of {@link Steps#pii}: which kinds of personal data to replace by a typed placeholder
 * ({@code <EMAIL>}, {@code <IP>}, {@code <PHONE>}, {@code <CREDIT_CARD>}, {@code <IBAN>}).
 * IP addresses in private, loopback, link-local, documentation, multicast and reserved ranges are
 * kept: they identify no one. A dotted IPv4 address inside a host name is redacted too
 * ({@code dsl.206.191.151.102.evergo.net} becomes {@code dsl.<IP>.evergo.net}); one glued to a
 * word or joined to more digits ({@code v1.2.3.4}, {@code 1.2.3.4.5}) is not an address, and
 * addresses written with dashes ({@code host-65-189-7-13}) are kept. Card numbers (13 to 19 digits,
 * in groups joined by single spaces or dashes) must pass Luhn and match the issuer prefix and
 * length of Visa, Mastercard, American Express, Discover, JCB or Diners; IBANs must pass mod-97.
 */
public record PiiConfig(boolean email, boolean ip, boolean phone, boolean creditCard, boolean iban) {
  public static PiiConfig defaults() {
    return new PiiConfig(true, true, true, true, true);
  }
}
