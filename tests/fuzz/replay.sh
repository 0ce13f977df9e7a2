#!/bin/sh
# replay.sh: the `make check` test that replays every fuzz corpus without
# clang: tests/fuzz/replay_<name> (replay.c linked with fuzz_<name>.c) runs
# each file of $srcdir/tests/fuzz/corpus/<name>/ through the harness once.
# A harness finding aborts its replay program and fails this test.
srcdir=${srcdir:-.}
status=0
for name in json http cookie query jwt ua token base32 factors; do
	if ! ./tests/fuzz/replay_$name "$srcdir/tests/fuzz/corpus/$name"; then
		echo "replay.sh: FAIL: corpus $name" >&2
		status=1
	fi
done
exit $status
