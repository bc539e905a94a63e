/// The end of a fake QEMU script that behaves like a guest's shell on a
/// serial terminal, for `qemu --script` tests: it echoes each typed line
/// after a prompt and runs it with `sh -c`, with CRLF line endings. A
/// Ctrl-C (the probe's) drops what was read before it; a line `poweroff N`
/// makes "QEMU" exit with status N. Put the boot lines before it.
public let fakeGuestShellLoop = """
    while IFS= read -r line; do
        line=${line##*$(printf '\\003')}
        printf '/ # %s\\r\\n' "$line"
        case "$line" in poweroff*) set -- $line; exit "${2%;}";; esac
        sh -c "$line" 2>&1 | sed 's/$/\\r/'
    done
    exec sleep 1000
    """
