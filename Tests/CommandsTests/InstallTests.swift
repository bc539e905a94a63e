import Foundation
import Testing
import TestSupport

/// sel4img as installed: scripts/install.sh's PREFIX layout, `--version`,
/// shell completion, and the Debian package from scripts/package-deb.sh.
/// Serialized: the package test builds the release binary once, and the
/// others must not race it for the CPU.
@Suite(.serialized) struct InstallTests {
    /// `sel4img boards` as the checkout's data gives it, with the data directory it names as `share`.
    static func checkoutBoards(as share: URL) throws -> String {
        let result = try runSel4img(["boards"], environment: ["SEL4IMG_DATA_DIR": repositoryRoot.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Boards (\(repositoryRoot.path)/boards):\n"))
        return result.stdout.replacingOccurrences(of: "(\(repositoryRoot.path)/", with: "(\(share.path)/")
    }

    /// Every file and link under `dir`, relative, sorted.
    static func tree(_ dir: URL) throws -> [String] {
        try sh("cd '\(dir.path)' && find . -mindepth 1 | LC_ALL=C sort").split(separator: "\n").map(String.init)
    }

    @Test("install.sh PREFIX: PREFIX/bin/sel4img finds PREFIX/share/sel4img from outside the checkout, with SEL4IMG_DATA_DIR unset; re-running replaces the data")
    func installedLayout() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let prefix = temp.path("prefix")
        try sh("'\(repositoryRoot.path)/scripts/install.sh' --binary '\(productsDirectory.path)/sel4img' '\(prefix.path)'")
        let share = prefix.appendingPathComponent("share/sel4img")
        for dir in ["boards", "apps", "manifests", "patches", "runner/sel4", "runner/guest", "runner/camkes", "Sources/WasmEngine", "Sources/WASI"] {
            #expect(try Self.tree(share.appendingPathComponent(dir)) == Self.tree(repositoryRoot.appendingPathComponent(dir)), "\(dir)")
        }
        let installed = prefix.appendingPathComponent("bin/sel4img")
        let boards = try runSel4img(["boards"], in: temp.url, executable: installed, unset: ["SEL4IMG_DATA_DIR"])
        #expect(boards.status == 0, "\(boards.stderr)")
        #expect(boards.stdout == (try Self.checkoutBoards(as: share)))
        // Each app's plan names its inputs (wasm-vm's: the guest files and sources from runner/ and Sources/) in the install.
        for app in ["sel4test", "wasm-vm"] {
            let plan = try runSel4img(["build", "--plan", "--board", "qemu-virt", "--app", app, "-w", temp.path("ws-\(app)").path],
                                      in: temp.url, executable: installed, unset: ["SEL4IMG_DATA_DIR"])
            #expect(plan.status == 0, "\(app): \(plan.stderr)")
            #expect(!plan.stdout.contains(repositoryRoot.path), "\(app) plan names the checkout:\n\(plan.stdout)")
            #expect(plan.stdout.contains(share.appendingPathComponent("manifests/\(app).xml").path), "\(app):\n\(plan.stdout)")
        }
        // Completion scripts are installed for three shells.
        for file in ["share/bash-completion/completions/sel4img", "share/zsh/site-functions/_sel4img", "share/fish/vendor_completions.d/sel4img.fish"] {
            #expect(try String(contentsOf: prefix.appendingPathComponent(file), encoding: .utf8).contains("---completion"), "\(file)")
        }
        // Re-running: a stale data file goes, the install is the same.
        try temp.write("prefix/share/sel4img/boards/stale.yaml", "format: 1\n")
        try sh("'\(repositoryRoot.path)/scripts/install.sh' --binary '\(productsDirectory.path)/sel4img' '\(prefix.path)'")
        #expect(!FileManager.default.fileExists(atPath: share.appendingPathComponent("boards/stale.yaml").path))
        #expect(try runSel4img(["boards"], in: temp.url, executable: installed, unset: ["SEL4IMG_DATA_DIR"]).stdout == (try Self.checkoutBoards(as: share)))
    }

    @Test("install.sh refuses a relative PREFIX and a share/sel4img it did not make")
    func installRefusals() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let script = "'\(repositoryRoot.path)/scripts/install.sh' --binary '\(productsDirectory.path)/sel4img'"
        #expect(throws: ShellError.self) { try sh("\(script) relative/prefix") }
        let relative = try sh("\(script) relative/prefix 2>&1 || true")
        #expect(relative == "error: PREFIX must be an absolute path; got 'relative/prefix'\n")
        try temp.write("prefix/share/sel4img/mine.txt", "keep\n")
        let foreign = try sh("\(script) '\(temp.path("prefix").path)' 2>&1 || true")
        #expect(foreign == """
            error: \(temp.path("prefix/share/sel4img").path) exists and was not installed by scripts/install.sh; not replacing it
            hint: move it away or choose another PREFIX

            """)
        #expect(try temp.read("prefix/share/sel4img/mine.txt") == "keep\n")
    }

    @Test("a copied binary with no data beside it says where it looked and how to fix it")
    func copiedBinary() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(at: temp.path("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: productsDirectory.appendingPathComponent("sel4img"), to: temp.path("bin/sel4img"))
        let result = try runSel4img(["boards"], in: temp.url, executable: temp.path("bin/sel4img"), unset: ["SEL4IMG_DATA_DIR"])
        let root = temp.url.standardizedFileURL.path
        #expect(result.status == 1)
        #expect(result.stderr == """
            error: cannot find sel4img's data directory (the one holding boards/, apps/ and manifests/); looked in: \
            \(root)/share/sel4img (installed beside \(root)/bin/sel4img); \(root)/bin and the directories above it (a checkout); \
            \(root) and the directories above it (the current directory)
            hint: install sel4img with scripts/install.sh PREFIX (the data goes to PREFIX/share/sel4img), set SEL4IMG_DATA_DIR \
            to a data directory or checkout, or run sel4img from inside its checkout

            """)
    }

    @Test("--version prints VERSION and the commit the binary was built from")
    func version() throws {
        let result = try runSel4img(["--version"])
        #expect(result.status == 0)
        let version = try String(contentsOf: repositoryRoot.appendingPathComponent("VERSION"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try sh("git -C '\(repositoryRoot.path)' rev-parse HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(result.stdout == "\(version) (commit \(head))\n" || result.stdout == "\(version) (commit \(head)-dirty)\n", "\(result.stdout)")
        // The generated file is in the build directory only: the checkout has no untracked or changed file from it.
        #expect(try sh("git -C '\(repositoryRoot.path)' status --porcelain --untracked-files=all | grep -v Plugins/BuildInfo/ | grep -i buildinfo || true") == "")
    }

    @Test("build-info.sh outside a git checkout says 'unknown commit' and rewrites its file only on change")
    func buildInfoOutsideGit() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try temp.write("src/VERSION", "9.8.7\n")
        let script = "'\(repositoryRoot.path)/scripts/build-info.sh' '\(temp.path("src").path)' '\(temp.path("out/BuildInfo.swift").path)'"
        try sh(script)
        let text = try temp.read("out/BuildInfo.swift")
        #expect(text.contains("static let version = \"9.8.7\"\n"))
        #expect(text.contains("static let commit = \"unknown commit\"\n"))
        try sh("touch -d 2001-01-01 '\(temp.path("out/BuildInfo.swift").path)'")
        try sh(script)
        #expect(try sh("stat -c %Y '\(temp.path("out/BuildInfo.swift").path)'") == "978307200\n")
        try temp.write("src/VERSION", "9.8.8\n")
        try sh(script)
        #expect(try temp.read("out/BuildInfo.swift").contains("static let version = \"9.8.8\"\n"))
    }

    @Test("completion offers board, app, progress-style and patch-set names through the generated scripts' entry point")
    func completion() throws {
        let bash = try runSel4img(["--generate-completion-script", "bash"])
        #expect(bash.stdout.contains("---completion build -- --board"))
        #expect(bash.stdout.contains("---completion patch apply -- positional@0"))
        let env = ["SEL4IMG_DATA_DIR": repositoryRoot.path]
        #expect(try runSel4img(["---completion", "build", "--", "--board", "2", "0", "", "build", "--board", ""], environment: env).stdout
            == "qemu-virt\nrpi4\ntx1\ntx2\n")
        #expect(try runSel4img(["---completion", "qemu", "--", "--app", "2", "0", "", "qemu", "--app", ""], environment: env).stdout
            == "sel4test\nwasm-runner\nwasm-vm\n")
        #expect(try runSel4img(["---completion", "patch", "apply", "--", "positional@0", "2", "0", "", "patch", "apply", ""], environment: env).stdout
            == "camkes-vm-rpi4\ncamkes-vm-tx1-channel\ncapdl-offline\ngic-hyp-group0\nmemoize\nreproducible\nreproducible-camkes-vm\nreproducible-sel4test\nuboot\nuboot-camkes-vm\nvm-vppi-masked\n")
        #expect(bash.stdout.contains("'auto'$'\\n''terminal'$'\\n''plain'$'\\n''json'$'\\n''quiet'"), "the progress styles are a fixed list in the script")
        // No data directory: no names and no error text in the shell.
        let none = try runSel4img(["---completion", "build", "--", "--board", "2", "0", "", "build", "--board", ""],
                                  environment: ["SEL4IMG_DATA_DIR": "/nonexistent"])
        #expect(none.stdout == "" && none.stderr == "")
    }

    @Test("package-deb.sh: Depends names the libraries' packages, the file list is the install layout, and the package runs from a scratch root")
    func debianPackage() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        // Builds the static release binary once (in .build/release-static); later runs reuse it.
        // The release build resolves the package's dependencies as the developer's own `swift build` does:
        // with the real HOME and git's system configuration, which `sh` hides from test fixtures.
        let host = ProcessInfo.processInfo.environment
        let deb = try sh("'\(repositoryRoot.path)/scripts/package-deb.sh' '\(temp.path("out").path)' 2>/dev/null",
                         environment: ["HOME": host["HOME"] ?? "/root", "GIT_CONFIG_NOSYSTEM": "0"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let version = try String(contentsOf: repositoryRoot.appendingPathComponent("VERSION"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(deb == temp.path("out/sel4img_\(version)_amd64.deb").path)
        let depends = try sh("dpkg-deb -f '\(deb)' Depends").trimmingCharacters(in: .whitespacesAndNewlines)
            .components(separatedBy: ", ")
        for package in ["libgit2-1.5", "libarchive13", "libfdt1", "libssl3", "libc6"] {
            #expect(depends.contains(package), "Depends: \(depends)")
        }
        #expect(!depends.contains { $0.contains("swift") })
        let info = try sh("dpkg-deb -I '\(deb)'")
        #expect(info.contains(" Package: sel4img\n") && info.contains(" Version: \(version)\n") && info.contains(" Architecture: amd64\n"))
        let files = try sh("dpkg-deb -c '\(deb)' | awk '{print $NF}'").split(separator: "\n").map(String.init)
        for file in ["./usr/bin/sel4img", "./usr/share/sel4img/boards/qemu-virt.yaml", "./usr/share/sel4img/apps/wasm-vm.yaml",
                     "./usr/share/sel4img/manifests/sel4test.xml", "./usr/share/sel4img/patches/reproducible/series",
                     "./usr/share/sel4img/runner/guest/init", "./usr/share/sel4img/Sources/WasmEngine/Module.swift",
                     "./usr/share/bash-completion/completions/sel4img"] {
            #expect(files.contains(file), "\(file) not in the package")
        }
        #expect(!files.contains { $0.contains(".build") || $0.contains("/Tests/") })
        // Unpacked into a scratch root: no Swift runtime from /opt/swift, the data found beside the binary.
        try sh("dpkg -x '\(deb)' '\(temp.path("root").path)'")
        let binary = temp.path("root/usr/bin/sel4img")
        #expect(try !sh("ldd '\(binary.path)'").contains("swift"))
        let boards = try runSel4img(["boards"], in: temp.url, executable: binary, unset: ["SEL4IMG_DATA_DIR", "LD_LIBRARY_PATH"])
        #expect(boards.status == 0, "\(boards.stderr)")
        #expect(boards.stdout == (try Self.checkoutBoards(as: temp.path("root/usr/share/sel4img"))))
        let plan = try runSel4img(["build", "--plan", "--board", "qemu-virt", "--app", "sel4test", "-w", temp.path("ws").path],
                                  in: temp.url, executable: binary, unset: ["SEL4IMG_DATA_DIR", "LD_LIBRARY_PATH"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains(temp.path("root/usr/share/sel4img/manifests/sel4test.xml").path), "\(plan.stdout)")
        #expect(try runSel4img(["--version"], executable: binary).stdout.hasPrefix("\(version) (commit "))
    }
}
