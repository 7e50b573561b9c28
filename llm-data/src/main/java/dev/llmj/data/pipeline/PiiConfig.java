package dev.llmj.data.pipeline;

/**
 * Settings of {@link Steps#pii}: which kinds of personal data to replace by a typed placeholder
 * ({@code <EMAIL>}, {@code <IP>}, {@code <PHONE>}, {@code <CREDIT_CARD>}, {@code <IBAN>}).
 * IP addresses in private, loopback, link-local, documentation, multicast and reserved ranges are
 * kept: they identify no one. Card numbers must pass Luhn, IBANs mod-97.
 */
public record PiiConfig(boolean email, boolean ip, boolean phone, boolean creditCard, boolean iban) {
  public static PiiConfig defaults() {
    return new PiiConfig(true, true, true, true, true);
  }
}
