import Foundation
import Testing
import WASI
import WasmHost

/// The WASI test suite (github.com/WebAssembly/wasi-testsuite, branch
/// prod/testsuite-base): every prebuilt wasm32-wasip1 test with its JSON
/// expectations (args, env, root preopened at "/", exit_code, stdout).
/// Runs only with SEL4IMG_WASI_TESTSUITE naming a local copy.
@Suite struct WASITestsuiteTests {
    /// Tests that cannot pass by design, with the reason: the preopen is
    /// read-only (on seL4 the files come from a CPIO bundle). Each of these
    /// creates or writes files or directories in the preopen before testing
    /// anything else, and stops there with EROFS. (No wasm32-wasip1 test
    /// needs sockets.)
    static let excluded: [String: String] = {
        var list: [String: String] = [
            "c/pwrite-with-access": "creates writeable/test_pwrite_pread.txt.cleanup (open O_WRONLY|O_CREAT) and pwrites it",
            "c/pwrite-with-append": "opens a file for appending writes (O_APPEND)",
            "rust/dangling_fd": "creates a file (path_open O_CREAT) and a directory to delete while open",
            "rust/directory_seek": "creates a directory to seek in (path_create_directory)",
            "rust/remove_directory_trailing_slashes": "creates a directory to remove (path_create_directory)",
            "rust/fd_advise": "creates a file with write rights (O_CREAT, FD_ALLOCATE)",
            "rust/fd_filestat_set": "creates a file to change its size and times (O_CREAT)",
            "rust/fstflags_validate": "creates a file to set its times (O_CREAT)",
            "rust/fd_flags_set": "creates a file to change its flags (O_CREAT)",
            "rust/path_open_read_write": "creates a file to open read-write (O_CREAT)",
        ]
        // These start with the suite's create_tmp_dir (path_create_directory of a scratch directory).
        for name in [
            "fd_fdstat_set_rights", "fd_readdir", "file_allocate", "file_pread_pwrite", "file_seek_tell",
            "file_truncation", "file_unbuffered_write", "isatty", "nofollow_errors", "overwrite_preopen",
            "path_exists", "path_filestat", "path_link", "path_open_create_existing", "path_open_dirfd_not_dir",
            "path_open_missing", "path_rename", "path_rename_dir_trailing_slashes",
            "path_symlink_trailing_slashes", "readlink", "remove_nonempty_directory", "renumber", "stdio",
            "symlink_create", "symlink_filestat", "symlink_loop", "truncation_rights",
            "unlink_file_trailing_slashes", "interesting_paths"
        ] {
            list["rust/\(name)"] = "creates its scratch directory first (create_tmp_dir: path_create_directory)"
        }
        return list
    }()

    static var root: URL? {
        ProcessInfo.processInfo.environment["SEL4IMG_WASI_TESTSUITE"].map { URL(fileURLWithPath: $0) }
    }

    /// Captures stdout and stderr; clocks, randomness and sleeping are the host's.
    struct SuitePlatform: WASIPlatform {
        var host = HostPlatform()
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        mutating func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
            if fd == 1 { stdout += bytes } else { stderr += bytes }
            return bytes.count
        }
        mutating func read(fd: Int32, into: UnsafeMutableRawBufferPointer) -> Int { 0 }
        func clock(_ id: UInt32) -> UInt64? { host.clock(id) }
        func clockResolution(_ id: UInt32) -> UInt64? { host.clockResolution(id) }
        mutating func random(into buffer: UnsafeMutableRawBufferPointer) { host.random(into: buffer) }
        mutating func sleep(nanoseconds: UInt64) { host.sleep(nanoseconds: nanoseconds) }
    }

    struct Outcome { var name: String; var passed: Bool; var detail: String }

    static func runOne(_ wasm: URL) -> Outcome {
        let name = wasm.deletingPathExtension().lastPathComponent
        let jsonURL = wasm.deletingPathExtension().appendingPathExtension("json")
        var config: [String: Any] = [:]
        if let data = try? Data(contentsOf: jsonURL),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            config = object
        }
        let args = config["args"] as? [String] ?? []
        let env = (config["env"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let preopens = (config["root"] as? String).map {
            [WasmRunner.Preopen(hostDirectory: wasm.deletingLastPathComponent().appendingPathComponent($0), guestPath: "/")]
        } ?? []
        let expectedStatus = Int32(config["exit_code"] as? Int ?? 0)
        let expectedStdout = config["stdout"] as? String
        let runner = WasmRunner(file: wasm.path, arguments: args, environment: env, preopens: preopens)
        do {
            let (status, platform) = try runner.run(platform: SuitePlatform())
            let out = String(decoding: platform.stdout, as: UTF8.self)
            let err = String(decoding: platform.stderr, as: UTF8.self)
            if status != expectedStatus {
                return Outcome(name: name, passed: false, detail: "exit \(status), expected \(expectedStatus); stderr: \(err.suffix(400))")
            }
            if let expectedStdout, !out.hasPrefix(expectedStdout) {
                return Outcome(name: name, passed: false, detail: "stdout \(out.debugDescription), expected \(expectedStdout.debugDescription)")
            }
            return Outcome(name: name, passed: true, detail: "")
        } catch {
            return Outcome(name: name, passed: false, detail: String(describing: error))
        }
    }

    @Test("every wasm32-wasip1 test of the WASI test suite passes, except those needing a writable directory",
          arguments: ["c", "rust", "assemblyscript"])
    func suite(_ language: String) throws {
        guard let root = Self.root else {
            print("skipping the WASI test suite: set SEL4IMG_WASI_TESTSUITE to a checkout of WebAssembly/wasi-testsuite (branch prod/testsuite-base)")
            return
        }
        let directory = root.appendingPathComponent("tests/\(language)/testsuite/wasm32-wasip1")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "wasm" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        #expect(!files.isEmpty, "no tests in \(directory.path)")
        var passed = 0, excluded = 0
        var failures: [String] = []
        for file in files {
            let key = "\(language)/\(file.deletingPathExtension().lastPathComponent)"
            let outcome = Self.runOne(file)
            if let reason = Self.excluded[key] {
                excluded += 1
                print("  excluded \(key): \(reason)")
                // Keep the list honest: an excluded test must still fail, on the read-only tree.
                if outcome.passed { failures.append("\(key) is excluded but passes: take it off the list") }
                continue
            }
            if outcome.passed { passed += 1 } else { failures.append("\(key): \(outcome.detail)") }
        }
        let names = Set(files.map { "\(language)/\($0.deletingPathExtension().lastPathComponent)" })
        for key in Self.excluded.keys where key.hasPrefix("\(language)/") && !names.contains(key) {
            failures.append("\(key) is excluded but not in the suite")
        }
        print("WASI test suite \(language)/wasm32-wasip1: \(passed)/\(files.count) passed, \(excluded) excluded, \(failures.count) failed")
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
