import CSpawn
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals a child starts with at their default action, whatever sel4img
/// does with them (flash ignores SIGINT and SIGTERM while it turns them into
/// stop requests; an ignored disposition would otherwise survive exec).
public let childDefaultSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE]

/// Starts a program with `posix_spawn`, the way `ProcessRunner` needs it:
/// stdout and stderr into one new pipe, stdin from a given descriptor or
/// /dev/null, in a directory, in a process group of its own (so a terminal's
/// Ctrl-C reaches sel4img, which stops the child itself), with an empty signal
/// mask (Dispatch and Swift concurrency threads block SIGINT, SIGTERM and
/// SIGHUP, and a child inherits the starting thread's mask: QEMU 7.2 then
/// ignored SIGTERM), and no other descriptor of sel4img's.
///
/// Not swift-subprocess (1.0.2 waits with epoll and pidfd, fine without
/// loopback): its API is async and scoped to a closure, while a
/// `RunningProcess` outlives `start()` and is waited for from plain threads
/// (BootRun's reaper); blocking those on tasks of the cooperative pool (two
/// threads on a two-core machine) risks deadlock.
enum ChildProcess {
    struct SpawnFailure: Error {
        var errorNumber: Int32
    }

    /// Returns the child's process id and the read end of its output pipe
    /// (close-on-exec; the caller reads it to the end and closes it).
    static func spawn(executable: String, arguments: [String], environment: [String: String]?,
                      directory: String?, stdin: Int32?) throws -> (pid: pid_t, output: Int32) {
        var fds: [Int32] = [-1, -1]
        guard sel4img_pipe_cloexec(&fds) == 0 else { throw SpawnFailure(errorNumber: errno) }
        let (readEnd, writeEnd) = (fds[0], fds[1])

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }

        var code: Int32 = 0
        func check(_ result: Int32) { if code == 0, result != 0 { code = result } }
        if let stdin {
            check(posix_spawn_file_actions_adddup2(&actions, stdin, 0))
        } else {
            check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0))
        }
        check(posix_spawn_file_actions_adddup2(&actions, writeEnd, 1))
        check(posix_spawn_file_actions_adddup2(&actions, writeEnd, 2))
        if let directory { check(sel4img_spawn_file_actions_addchdir(&actions, directory)) }
        var flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
        check(sel4img_spawn_file_actions_addclosefrom(&actions, 3))
        #endif
        check(posix_spawnattr_setflags(&attributes, Int16(flags)))
        check(posix_spawnattr_setpgroup(&attributes, 0))
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        check(posix_spawnattr_setsigmask(&attributes, &emptyMask))
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in childDefaultSignals { sigaddset(&defaults, signal) }
        check(posix_spawnattr_setsigdefault(&attributes, &defaults))

        var pid: pid_t = 0
        if code == 0 {
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
            defer {
                argv.forEach { free($0) }
                envp?.forEach { free($0) }
            }
            code = argv.withUnsafeBufferPointer { argvBuffer in
                let argvPointer = UnsafeMutablePointer(mutating: argvBuffer.baseAddress!)
                guard let envp else {
                    return posix_spawn(&pid, executable, &actions, &attributes, argvPointer, environ)
                }
                return envp.withUnsafeBufferPointer { envpBuffer in
                    posix_spawn(&pid, executable, &actions, &attributes, argvPointer,
                                UnsafeMutablePointer(mutating: envpBuffer.baseAddress!))
                }
            }
        }
        close(writeEnd)
        if code != 0 {
            close(readEnd)
            throw SpawnFailure(errorNumber: code)
        }
        return (pid, readEnd)
    }
}
