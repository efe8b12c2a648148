#!/bin/sh
# Runs a command in a network namespace that holds only loopback, when we are root and the kernel
# allows it, so WebRTC in tests and benchmarks cannot reach past this machine. Elsewhere (a
# developer's laptop) it runs the command as it is.
if [ "$(id -u)" = 0 ] && [ -z "${LOOPBACK_ONLY:-}" ] && unshare -n true 2>/dev/null; then
  exec unshare -n env LOOPBACK_ONLY=1 sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
exec "$@"
