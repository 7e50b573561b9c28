package dev.llmj.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code review.html}: one self-contained page (no network) showing the model, the sampling settings and
 * every sample under its prompt, with a good/bad choice and a note per sample. Marks live in the browser's
 * localStorage under a key made from the hash of {@code samples.jsonl}, so a reload keeps them and another
 * sheet never inherits them; "Export marks" downloads them as JSON whose indices match {@code samples.jsonl}.
 * All text from the model and the prompt file is HTML-escaped; the script reads nothing but data attributes.
 */
final class ReviewSheet {

  /** What the page says at the top: where the samples came from. */
  record Header(String model, String tokenizer, ObjectNode settings) {}

  /** Shown faded before each completion: enough of the prompt to read the continuation in context. */
  private static final int PROMPT_TAIL = 160;

  private ReviewSheet() {}

  static void write(Path file, Header header, List<String> prompts, List<SampleReview.Sample> samples,
      byte[] samplesJsonl) throws IOException {
    String id = sheetId(samplesJsonl);
    StringBuilder b = new StringBuilder(4096 + samples.size() * 1024);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Review: ").append(Html.escape(header.model())).append("</title><style>").append(CSS)
        .append("</style></head><body data-sheet=\"").append(id).append("\" data-model=\"")
        .append(Html.escape(header.model())).append("\" data-total=\"").append(samples.size()).append("\">");
    b.append("<h1>Review of samples</h1><table class=meta>");
    row(b, "model", header.model());
    row(b, "tokenizer", header.tokenizer());
    row(b, "prompts \u00d7 samples", prompts.size() + " \u00d7 " + samples.size() / Math.max(1, prompts.size())
        + " = " + samples.size());
    row(b, "samples file", SampleReview.SAMPLES_FILE + " (sheet " + id + ")");
    b.append("</table><h2>Sampling settings</h2><table class=meta>");
    ObjectNode s = header.settings();
    row(b, "temperature", s.path("temperature").asText() + (s.path("temperature").asDouble() == 0 ? " (greedy)" : ""));
    row(b, "top-k", s.path("top_k").asInt() == 0 ? "off" : s.path("top_k").asText());
    row(b, "top-p", s.path("top_p").asDouble() == 1 ? "off" : s.path("top_p").asText());
    row(b, "repetition penalty", s.path("repetition_penalty").asDouble() == 1 ? "off"
        : s.path("repetition_penalty").asText());
    row(b, "max new tokens", s.path("max_tokens").asText());
    row(b, "base seed", s.path("seed").asText() + " (each sample's own seed is shown with it)");
    b.append("</table>");
    b.append("<div class=bar><span id=count></span><span class=sp></span>")
        .append("<button id=export type=button>Export marks (JSON)</button>")
        .append("<button id=clear type=button class=quiet>Clear all marks</button></div>")
        .append("<p class=help>Mark each sample <b>good</b> or <b>bad</b>, with a note if it helps. Marks are kept"
            + " in this browser as you go (a reload keeps them); <b>Export marks</b> downloads them as JSON, with"
            + " prompt and sample indices counted from 0 as in " + SampleReview.SAMPLES_FILE + ".</p>");
    int k = 0;
    for (int i = 0; i < prompts.size(); i++) {
      String prompt = prompts.get(i);
      b.append("<section><h2>Prompt ").append(i + 1).append(" <small>of ").append(prompts.size())
          .append("</small></h2><blockquote>")
          .append(prompt.isEmpty() ? "<i>(empty: starts from &lt;|endoftext|&gt;)</i>" : Html.escape(prompt))
          .append("</blockquote>");
      int cut = Math.max(0, prompt.length() - PROMPT_TAIL);
      cut += cut > 0 && Character.isLowSurrogate(prompt.charAt(cut)) ? 1 : 0; // never half a character
      String tail = cut == 0 ? prompt : "\u2026" + prompt.substring(cut);
      for (; k < samples.size() && samples.get(k).promptIndex() == i; k++) {
        sample(b, samples.get(k), tail);
      }
      b.append("</section>");
    }
    b.append("<script>").append(SCRIPT).append("</script></body></html>\n");
    Files.writeString(file, b, StandardCharsets.UTF_8);
  }

  private static void sample(StringBuilder b, SampleReview.Sample x, String promptTail) {
    String name = "m" + x.promptIndex() + "-" + x.sampleIndex();
    b.append("<div class=sample id=").append(name).append(" data-p=").append(x.promptIndex())
        .append(" data-s=").append(x.sampleIndex()).append("><div class=head>Sample ").append(x.sampleIndex() + 1)
        .append(" \u00b7 seed ").append(x.seed()).append(" \u00b7 ").append(x.tokens())
        .append(x.tokens() == 1 ? " token" : " tokens").append(" \u00b7 ")
        .append(x.stop().equals("end_of_text") ? "ended with &lt;|endoftext|&gt;" : "reached max tokens")
        .append("</div><div class=text><span class=pr>").append(Html.escape(promptTail)).append("</span>")
        .append(x.completion().isEmpty() ? "<i class=empty>(nothing generated)</i>" : Html.escape(x.completion()))
        .append("</div><div class=marks><label class=g><input type=radio name=").append(name)
        .append(" value=good> good</label><label class=b><input type=radio name=").append(name)
        .append(" value=bad> bad</label><input class=note type=text maxlength=2000 placeholder=\"note (optional)\"")
        .append(" aria-label=\"note on prompt ").append(x.promptIndex() + 1).append(" sample ")
        .append(x.sampleIndex() + 1).append("\"></div></div>");
  }

  private static void row(StringBuilder b, String key, String value) {
    b.append("<tr><th>").append(Html.escape(key)).append("</th><td>").append(Html.escape(value)).append("</td></tr>");
  }

  /** The first 16 hex digits of the SHA-256 of samples.jsonl: which samples these marks are about. */
  private static String sheetId(byte[] samplesJsonl) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(samplesJsonl), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static final String CSS = """
      body{font:15px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
      table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}
      th{font-weight:600;color:#555}h2 small{color:#888;font-weight:400}
      blockquote{margin:.6em 0;padding:.5em 1em;background:#f6f6f6;border-left:4px solid #1f77b4;white-space:pre-wrap}
      .bar{position:sticky;top:0;z-index:1;display:flex;gap:.8em;align-items:center;margin:1.2em 0 .4em;
        padding:.5em .8em;background:#fff;border:1px solid #ddd;border-radius:6px;box-shadow:0 1px 3px #0001}
      .sp{flex:1}.help{color:#555;font-size:14px}
      button{font:inherit;padding:.3em .9em;border:1px solid #1f77b4;border-radius:4px;background:#1f77b4;color:#fff;cursor:pointer}
      button.quiet{background:#fff;color:#555;border-color:#bbb}
      .sample{margin:.8em 0;padding:.6em .9em;border:1px solid #ddd;border-left:4px solid #ccc;border-radius:4px}
      .sample.good{border-left-color:#2ca02c;background:#f3fbf3}.sample.bad{border-left-color:#d62728;background:#fdf3f3}
      .head{font-size:13px;color:#777;margin-bottom:.3em}
      .text{white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace}
      .pr,.empty{color:#999}.pr:not(:empty){border-right:2px solid #1f77b4;margin-right:1px}
      .marks{display:flex;gap:.6em;align-items:center;margin-top:.5em}
      .marks label{padding:.15em .7em;border:1px solid #ccc;border-radius:4px;cursor:pointer;user-select:none}
      .marks label.g:has(input:checked){background:#2ca02c;border-color:#2ca02c;color:#fff}
      .marks label.b:has(input:checked){background:#d62728;border-color:#d62728;color:#fff}
      .note{flex:1;font:inherit;padding:.2em .5em;border:1px solid #ccc;border-radius:4px}
      """;

  /** Reads and writes marks by the card ids m<prompt>-<sample>; never touches text from the model. */
  private static final String SCRIPT = """
      (function () {
        var body = document.body, key = 'llmj-review:' + body.dataset.sheet, total = +body.dataset.total;
        var cards = Array.prototype.slice.call(document.querySelectorAll('.sample'));
        var marks = {}, stored = true;
        try { marks = JSON.parse(localStorage.getItem(key) || '{}') || {}; } catch (e) { stored = false; }
        function save() {
          try { localStorage.setItem(key, JSON.stringify(marks)); } catch (e) { stored = false; }
          count();
        }
        function count() {
          var good = 0, bad = 0;
          cards.forEach(function (c) {
            var m = marks[c.id] || {};
            good += m.mark === 'good' ? 1 : 0; bad += m.mark === 'bad' ? 1 : 0;
          });
          document.getElementById('count').textContent = (good + bad) + ' of ' + total + ' marked: ' + good
            + ' good, ' + bad + ' bad' + (stored ? '' : ' (this browser cannot keep marks: export before leaving)');
        }
        function paint(c) {
          var m = marks[c.id] || {};
          c.classList.toggle('good', m.mark === 'good');
          c.classList.toggle('bad', m.mark === 'bad');
        }
        cards.forEach(function (c) {
          var m = marks[c.id] || {}, note = c.querySelector('.note');
          c.querySelectorAll('input[type=radio]').forEach(function (r) {
            r.checked = r.value === m.mark;
            r.addEventListener('change', function () {
              marks[c.id] = Object.assign({}, marks[c.id], {mark: r.value});
              paint(c); save();
            });
          });
          note.value = m.note || '';
          note.addEventListener('input', function () {
            marks[c.id] = Object.assign({}, marks[c.id], {note: note.value});
            save();
          });
          paint(c);
        });
        document.getElementById('export').addEventListener('click', function () {
          var out = [];
          cards.forEach(function (c) {
            var m = marks[c.id];
            if (m && (m.mark || m.note)) {
              out.push({prompt_index: +c.dataset.p, sample_index: +c.dataset.s, mark: m.mark || null, note: m.note || ''});
            }
          });
          var json = JSON.stringify({sheet: body.dataset.sheet, model: body.dataset.model, samples: total, marks: out}, null, 1);
          var a = document.createElement('a');
          a.href = URL.createObjectURL(new Blob([json], {type: 'application/json'}));
          a.download = 'review-marks-' + body.dataset.sheet + '.json';
          document.body.appendChild(a); a.click(); a.remove();
          setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
        });
        document.getElementById('clear').addEventListener('click', function () {
          if (!confirm('Clear every mark and note on this sheet?')) return;
          marks = {};
          cards.forEach(function (c) {
            c.querySelectorAll('input').forEach(function (i) { if (i.type === 'radio') i.checked = false; else i.value = ''; });
            paint(c);
          });
          save();
        });
        count();
      })();
      """;
}
