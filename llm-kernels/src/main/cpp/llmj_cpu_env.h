// The process environment as native code sees it. Java's System.getenv is a copy taken when the JVM
// started, and the JDK has no setenv; OpenBLAS reads OPENBLAS_CORETYPE with getenv in the constructor
// that runs when the library is loaded, so the variable has to be set here, natively, before that.
#ifndef LLMJ_CPU_ENV_H
#define LLMJ_CPU_ENV_H

#include <cstdlib>

// Sets name=value unless name is already set: 1 when set, 0 when it was already there, -1 on failure.
inline int llmj_setenv_if_unset(const char* name, const char* value) {
  if (std::getenv(name) != nullptr) return 0;
  return setenv(name, value, 0) == 0 ? 1 : -1;
}

#endif
