import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// QEMU's stdin when sel4img types on the guest's console: one end of a
/// Unix socket pair goes to QEMU as fd 0 (with `-nographic` QEMU reads the
/// serial console from stdin, so what is written here reaches the guest's
/// UART); sel4img writes to the other end.
///
/// A socket rather than a pipe so that writing after QEMU has gone fails with
/// EPIPE instead of raising SIGPIPE (`send` with `MSG_NOSIGNAL`), without
/// changing sel4img's signal dispositions. Both ends are close-on-exec, so no
/// other child process inherits them.
final class ConsoleInput: @unchecked Sendable {
    /// Given to the child as its stdin; closed in sel4img once QEMU runs.
    let childEnd: FileHandle
    private let lock = NSLock()
    private var fd: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else {
            throw EmulatorError.cannotStart(binary: "QEMU", reason: "cannot make a socket for its console input: \(String(cString: strerror(errno)))")
        }
        #if !os(Linux)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        #endif
        fd = fds[0]
        childEnd = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
    }

    deinit {
        close()
    }

    /// Closes sel4img's copy of the child's end, so QEMU alone holds it.
    func childStarted() {
        try? childEnd.close()
    }

    /// Writes all of `text`. Throws when QEMU no longer reads its console
    /// (it has exited) or the socket is closed.
    func send(_ text: String) throws {
        lock.lock()
        defer { lock.unlock() }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            guard fd >= 0 else { throw ConsoleInputClosed(reason: "closed") }
            #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let n = bytes[offset...].withUnsafeBytes { sendBytes(fd, $0, flags) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConsoleInputClosed(reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 {
            closeDescriptor(fd)
            fd = -1
        }
    }
}

/// Writing to QEMU's console failed: QEMU has gone.
struct ConsoleInputClosed: Error, Equatable {
    var reason: String
}

private func sendBytes(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ flags: Int32) -> Int {
    send(fd, buffer.baseAddress, buffer.count, flags)
}

private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
