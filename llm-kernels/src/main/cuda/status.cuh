// Failure reporting shared by llmj's CUDA sources: a failing entry point records a message for
// llmj_last_error (this thread's, so callers on different threads do not see each other's) and
// returns the status code in one expression: `return llmj_fail(LLMJ_BAD_ARGUMENT, "...", ...);`.
#ifndef LLMJ_STATUS_CUH
#define LLMJ_STATUS_CUH

#include "llmj_cuda.h"

// Records the printf-style message (it should name the argument, its value and the fix) and
// returns `code`.
llmj_status llmj_fail(llmj_status code, const char* fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

// Call right after launching `kernel` (a name for the message): LLMJ_OK, or LLMJ_CUDA_ERROR with
// the runtime's error text when the launch (or an earlier asynchronous failure) went wrong.
llmj_status llmj_check_launch(const char* kernel);

#endif
