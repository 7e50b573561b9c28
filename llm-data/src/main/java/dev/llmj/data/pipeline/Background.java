package dev.llmj.data.pipeline;

/** The pipeline's helper threads: daemons, so a caller that stops early never hangs the JVM. */
final class Background {
  private Background() {}

  static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Waits for {@code t} to end even if this thread is interrupted meanwhile (the interrupt is kept
   * for the caller): the helper may still be using what the caller is about to close.
   */
  static void join(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
