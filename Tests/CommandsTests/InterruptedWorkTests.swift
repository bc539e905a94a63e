import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Kills the built binary with SIGKILL in the middle of a sync's checkout or
/// a patch apply (`SEL4IMG_TEST_SIGKILL_AT`, a real kill), then checks that a
/// plain re-run recovers and leaves the tree a clean run leaves.
@Suite struct InterruptedWorkTests {
    /// A mirror with a 400-file project `big` (two commits) and a small one,
    /// a manifest for them, and helpers to make workspaces from it.
    struct Fixture {
        let dir: TemporaryDirectory
        var host: URL { dir.path("host") }
        var manifest: URL { dir.path("manifest.xml") }
        var big: URL { dir.path("src/big") }
        var bare: URL { host.appendingPathComponent("example.invalid/org/big.git") }

        init() throws {
            dir = try TemporaryDirectory("interrupted")
            try sh("""
                set -e
                mkdir -p src/big src/small host/example.invalid/org
                cd src/big && git init -q -b master .
                for i in $(seq 1 400); do d=dir$((i % 20)); mkdir -p $d; echo "file $i" > $d/f$i.txt; done
                git add -A && git commit -q -m first
                cd ../small && git init -q -b master . && echo small > README && git add -A && git commit -q -m first
                cd ../.. && git clone -q --bare src/big host/example.invalid/org/big.git && git clone -q --bare src/small host/example.invalid/org/small.git
                """, in: dir.url)
            try dir.write("manifest.xml", """
                <manifest>
                  <remote name="org" fetch="https://example.invalid/org"/>
                  <default remote="org" revision="master"/>
                  <project name="big" path="big"/>
                  <project name="small" path="lib/small"/>
                </manifest>
                """)
        }

        /// A second commit on big's master that changes, deletes and adds files.
        func advanceBig() throws {
            try sh("""
                set -e
                for i in $(seq 1 200); do d=dir$((i % 20)); echo "changed $i" > $d/f$i.txt; done
                for i in $(seq 201 250); do d=dir$((i % 20)); rm $d/f$i.txt; done
                for i in $(seq 401 450); do mkdir -p new; echo "new $i" > new/f$i.txt; done
                git add -A && git commit -q -m second && git push -q \(bare.path) master
                """, in: big)
        }

        func workspace(_ name: String) throws -> URL {
            let ws = dir.path(name)
            let r = try runSel4img(["init", "-m", manifest.path, "--mirror", host.path, "-w", ws.path])
            #expect(r.status == 0, "\(r.stderr)")
            return ws
        }

        func sync(_ ws: URL, killAt: String? = nil, _ extra: [String] = []) throws -> CommandResult {
            try runSel4img(["sync", "-j", "1", "-w", ws.path] + extra,
                           environment: killAt.map { ["SEL4IMG_TEST_SIGKILL_AT": $0] } ?? [:])
        }

        /// The trees differ in nothing but sel4img's state directory.
        func expectSameTree(_ a: URL, _ b: URL) {
            #expect(throws: Never.self) { try sh("diff -r -x .sel4img \(a.path) \(b.path)") }
        }
    }

    @Test("kill -9 at several points of a first sync (copying objects, checking out): status says so and exits 1, a plain sync finishes it, and the tree equals a clean sync's",
          arguments: ["copy:1", "copy:200", "checkout:1", "checkout:57", "checkout:230", "checkout:400"])
    func killedFirstSync(killAt: String) throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let clean = try f.workspace("clean")
        #expect(try f.sync(clean).status == 0)

        let ws = try f.workspace("ws")
        let killed = try f.sync(ws, killAt: killAt)
        #expect(killed.status == SIGKILL)
        let status = try runSel4img(["status", "-w", ws.path])
        #expect(status.status == 1)
        guard killAt.hasPrefix("checkout") else {
            // Killed before any checkout: nothing checked out yet.
            #expect(status.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix("not checked out") }, "\(status.stdout)")
            let again = try f.sync(ws)
            #expect(again.status == 0, "\(again.stderr)")
            f.expectSameTree(ws, clean)
            return
        }
        #expect(FileManager.default.fileExists(atPath: ws.appendingPathComponent(".sel4img/projects/big.git/sel4img-checkout").path))
        let lines = status.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        // big: HEAD unborn, not in the lock yet, its checkout cut short; lib/small: not reached.
        #expect(lines.first?.range(of: #"^big +- +not checked out, checkout of [0-9a-f]{12} interrupted \(the next sync finishes it\)"#,
                                   options: .regularExpression) != nil, "\(status.stdout)")
        #expect(lines.last?.hasSuffix("not checked out") == true)

        let again = try f.sync(ws)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("big: finishing the checkout of "))
        #expect(again.stdout.hasPrefix("Synced 2 projects (2 checked out)"))
        f.expectSameTree(ws, clean)
        let after = try runSel4img(["status", "-w", ws.path])
        #expect(after.status == 0, "\(after.stdout)")
    }

    @Test("kill -9 while a sync moves a checkout to a new commit: a plain sync finishes it; a user's edit after that is refused as before")
    func killedMove() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let ws = try f.workspace("ws")
        #expect(try f.sync(ws).status == 0)
        try f.advanceBig()
        let clean = try f.workspace("clean")
        #expect(try f.sync(clean).status == 0)

        let killed = try f.sync(ws, killAt: "checkout:120")
        #expect(killed.status == SIGKILL)
        let again = try f.sync(ws)
        #expect(again.status == 0, "\(again.stderr)")
        f.expectSameTree(ws, clean)

        // The finished checkout is the user's now: an edit is refused.
        try "mine\n".write(to: ws.appendingPathComponent("big/dir1/f1.txt"), atomically: true, encoding: .utf8)
        try f.advanceBigAgain()
        let refused = try f.sync(ws)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("big has uncommitted changes that a checkout would overwrite:\n    dir1/f1.txt (modified)"), "\(refused.stderr)")
    }
}

extension InterruptedWorkTests {
    /// A data directory (the repository's boards, apps and manifests) with a
    /// patch set `six` that changes six files of `big`.
    static func dataDirectory(_ f: Fixture) throws -> URL {
        let data = f.dir.path("data")
        try sh("""
            set -e
            mkdir -p \(data.path)/patches/six
            for d in boards apps manifests; do ln -s \(repositoryRoot.path)/$d \(data.path)/$d; done
            cd \(f.big.path)
            for i in 1 2 3 4 5 6; do echo "patched $i" >> dir$i/f$i.txt; done
            git diff > \(data.path)/patches/six/six.patch && git checkout -q .
            echo "big $(sha256sum \(data.path)/patches/six/six.patch | cut -d' ' -f1) six.patch" > \(data.path)/patches/six/series
            """)
        return data
    }

    @Test("kill -9 during patch apply leaves index.lock: status names it and exits 1; the next apply removes it, recovers and applies; the tree equals a clean apply's",
          arguments: [1, 4, 6])
    func killedPatchApply(killAt: Int) throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let env = ["SEL4IMG_DATA_DIR": try Self.dataDirectory(f).path]
        let clean = try f.workspace("clean")
        #expect(try f.sync(clean).status == 0)
        #expect(try runSel4img(["patch", "apply", "six", "-w", clean.path], environment: env).status == 0)

        let ws = try f.workspace("ws")
        #expect(try f.sync(ws).status == 0)
        let killed = try runSel4img(["patch", "apply", "six", "-w", ws.path], environment: env.merging(["SEL4IMG_TEST_SIGKILL_AT": "apply:\(killAt)"]) { $1 })
        #expect(killed.status == SIGKILL)
        let lockFile = ws.appendingPathComponent(".sel4img/projects/big.git/index.lock")
        #expect(FileManager.default.fileExists(atPath: lockFile.path))
        let pid = try String(contentsOf: ws.appendingPathComponent(".sel4img/sel4img.pid"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let status = try runSel4img(["status", "-w", ws.path])
        #expect(status.status == 1)
        #expect(status.stdout.contains("matches lock, index.lock left by a killed sel4img (the next sync or patch apply removes it)"), "\(status.stdout)")

        let again = try runSel4img(["patch", "apply", "six", "-w", ws.path], environment: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("removed .sel4img/projects/big.git/index.lock, left by sel4img process \(pid), which was killed before it finished\n"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lockFile.path))
        f.expectSameTree(ws, clean)
    }

    @Test("an index.lock sel4img did not leave is not removed, and apply says the index is locked with a hint that fits")
    func foreignIndexLock() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let env = ["SEL4IMG_DATA_DIR": try Self.dataDirectory(f).path]
        let ws = try f.workspace("ws")
        #expect(try f.sync(ws).status == 0)
        let lockFile = ws.appendingPathComponent(".sel4img/projects/big.git/index.lock")
        try Data().write(to: lockFile)
        let r = try runSel4img(["patch", "apply", "six", "-w", ws.path], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("hint: another program holds the git index lock of big (.sel4img/projects/big.git/index.lock); let it finish, or remove the lock file if none is running\n"), "\(r.stderr)")
        #expect(!r.stderr.contains("does not fit"))
        #expect(FileManager.default.fileExists(atPath: lockFile.path))
        // Not sel4img's: status does not call it a leftover of a killed sel4img.
        let status = try runSel4img(["status", "-w", ws.path])
        #expect(!status.stdout.contains("killed"))
    }

    @Test("a live sel4img holding the workspace lock is respected: sync and patch apply refuse, naming its process; nothing is removed")
    func liveHolder() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let env = ["SEL4IMG_DATA_DIR": try Self.dataDirectory(f).path]
        let ws = try f.workspace("ws")
        #expect(try f.sync(ws).status == 0)
        let lockFile = ws.appendingPathComponent(".sel4img/projects/big.git/index.lock")
        try Data().write(to: lockFile)
        // Stand in for a running sel4img: hold the lock and name a process.
        let fd = open(ws.appendingPathComponent(".sel4img/sel4img.pid").path, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = ftruncate(fd, 0)
        _ = "\(getpid())\n".withCString { write(fd, $0, strlen($0)) }
        let expected = """
            error: another sel4img (process \(getpid())) is working in \(ws.path)
            hint: wait for it to finish, then run the command again

            """
        let apply = try runSel4img(["patch", "apply", "six", "-w", ws.path], environment: env)
        #expect(apply.status == 1)
        #expect(apply.stderr.hasSuffix(expected), "\(apply.stderr)")
        let sync = try f.sync(ws)
        #expect(sync.status == 1)
        #expect(sync.stderr.hasSuffix(expected), "\(sync.stderr)")
        #expect(FileManager.default.fileExists(atPath: lockFile.path))
        let status = try runSel4img(["status", "-w", ws.path])
        #expect(status.stderr == "note: a sel4img (process \(getpid())) is working in this workspace now\n")
    }
}

@Suite struct StatusCommandTests {
    @Test("status exits 0 only when clean: a changed file, an untracked file or a project not in the lock makes it 1; counts are in the right number")
    func exitRule() throws {
        let f = try InterruptedWorkTests.Fixture()
        defer { f.dir.remove() }
        let ws = try f.workspace("ws")
        let before = try runSel4img(["status", "-w", ws.path])
        #expect(before.status == 1)
        #expect(before.stdout.hasSuffix("lib/small                        -             not checked out\n"))
        let synced = try f.sync(ws)
        #expect(synced.stdout.hasPrefix("Synced 2 projects (2 checked out) in "))
        #expect(try runSel4img(["status", "-w", ws.path]).status == 0)
        try "edit\n".write(to: ws.appendingPathComponent("lib/small/README"), atomically: true, encoding: .utf8)
        let changed = try runSel4img(["status", "-w", ws.path])
        #expect(changed.status == 1)
        #expect(changed.stdout.hasSuffix("matches lock, 1 changed file\n"), "\(changed.stdout)")
        try "new\n".write(to: ws.appendingPathComponent("lib/small/NEW"), atomically: true, encoding: .utf8)
        #expect(try runSel4img(["status", "-w", ws.path]).stdout.hasSuffix("matches lock, 2 changed files\n"))
        try "x\n".write(to: ws.appendingPathComponent("lib/small/README"), atomically: true, encoding: .utf8)
        // The manifest loses lib/small: listed as removed, still exit 1.
        try f.dir.write("manifest.xml", try String(contentsOf: f.manifest, encoding: .utf8)
            .replacingOccurrences(of: "  <project name=\"small\" path=\"lib/small\"/>\n", with: ""))
        #expect(try runSel4img(["init", "-m", f.manifest.path, "-w", ws.path]).stdout.contains(": 1 project. Syncing from the mirror \(f.host.path) (kept from the earlier init; pass --mirror DIR for another). Next: sel4img sync\n"))
        let removed = try runSel4img(["status", "-w", ws.path])
        #expect(removed.status == 1)
        #expect(removed.stdout.contains("lib/small "))
        #expect(removed.stdout.contains("removed from the manifest (still checked out), matches lock, 2 changed files\n"), "\(removed.stdout)")
        let resynced = try f.sync(ws)
        #expect(resynced.stdout.hasPrefix("1 project up to date") || resynced.stdout.hasPrefix("Synced 1 project "), "\(resynced.stdout)")
    }
}

extension InterruptedWorkTests.Fixture {
    func advanceBigAgain() throws {
        try sh("echo third > dir1/f1.txt && git commit -q -am third && git push -q \(bare.path) master", in: big)
    }
}
