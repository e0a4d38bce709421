// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pthread.h>
#include <signal.h>

namespace meterd::apps {

// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that only the
// main thread's sigwait/sigtimedwait sees them, and ignores SIGPIPE (a peer closing a socket is
// an error code, not a reason to die). Call first in main.
inline sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

}  // namespace meterd::apps
