import Boards
import CPIO
import Foundation
import Support

extension GuestImage {
    /// The initramfs: every entry from a checked name, never one that escapes
    /// (guest paths are absolute, normal and without `..`; module names are
    /// single components), owner root, in the archive's sorted order.
    ///
    /// Busybox is installed without applet links: the guest's init runs
    /// `busybox --install -s`. /dev/console and /dev/null exist before
    /// devtmpfs is mounted, so the kernel has a console for init.
    func rootfs(busybox: URL, programs: [(path: String, bytes: Data)], kernelModules: [(member: String, url: URL)] = []) throws -> CPIOArchive {
        var archive = CPIOArchive()
        // Who put each entry there, for conflict messages.
        var owners: [String: String] = [:]

        func add(_ entry: CPIOEntry, key: String) throws {
            if let existing = archive[entry.path] {
                let owner = owners[entry.path].map { "given at '\($0)'" } ?? "part of the guest's base file system"
                throw error(.conflict, key, "/\(entry.path) is already in the initramfs (\(existing.isDirectory ? "a directory, " : "")\(owner))")
            }
            do {
                try archive.insert(entry)
            } catch let failure as CPIOError {
                throw error(.conflict, key, failure.message)
            }
            owners[entry.path] = key
        }
        func entry(_ path: String, _ kind: CPIOEntry.Kind, mode: UInt16, key: String) throws -> CPIOEntry {
            if let problem = GuestPath.problem(with: path) {
                throw error(.invalidInput, key, "the guest path '\(path)' \(problem)")
            }
            do {
                return try CPIOEntry(path: path, kind: kind, mode: mode)
            } catch let failure as CPIOError {
                throw error(.invalidInput, key, failure.message)
            }
        }

        for (path, mode) in App.Guest.baseDirectories {
            try archive.insert(entry(path, .directory, mode: mode, key: "guest"))
        }
        if archive[guest.modulesDirectory] == nil {
            try add(entry(guest.modulesDirectory, .directory, mode: 0o755, key: "guest.modulesDirectory"), key: "guest.modulesDirectory")
        } else if archive[guest.modulesDirectory]?.isDirectory != true {
            throw error(.conflict, "guest.modulesDirectory", "\(guest.modulesDirectory) is not a directory in the initramfs")
        }
        try archive.insert(entry(App.Guest.busyboxPath, .file(.source(busybox)), mode: 0o755, key: "guest.busybox"))
        try archive.insert(entry(App.Guest.consolePath, .characterDevice(major: 5, minor: 1), mode: 0o600, key: "guest"))
        try archive.insert(entry(App.Guest.nullPath, .characterDevice(major: 1, minor: 3), mode: 0o666, key: "guest"))

        for (index, module) in kernelModules.enumerated() {
            let key = "guest.kernelModules[\(index)]"
            try add(entry("/" + module.member, .file(.source(module.url)), mode: 0o644, key: key), key: key)
        }
        for file in guest.files {
            let key = "guest.files.\(file.source)"
            let url = SafePath.join(repository, file.source)
            let bytes: Data
            do {
                bytes = try Data(contentsOf: url)
            } catch {
                throw self.error(.missingSource, key, "cannot read \(file.source) in the sel4img checkout at \(repository.path): \(error.localizedDescription)")
            }
            try add(entry(file.path, .file(.bytes(bytes)), mode: file.mode, key: key), key: key)
        }
        for program in programs {
            let key = "guest.programs.\(program.path)"
            try add(entry(program.path, .file(.bytes(program.bytes)), mode: 0o755, key: key), key: key)
        }
        var seen: [String: Data] = [:]
        for module in modules {
            if let problem = Self.moduleNameProblem(module.name) {
                throw error(.invalidInput, nil, "the WebAssembly module name '\(module.name)' \(problem)")
            }
            if let earlier = seen[module.name] {
                // The same file given twice runs twice on wasm-runner; here it is one file.
                guard earlier == module.bytes else {
                    throw error(.conflict, nil, "two different WebAssembly modules are named \(module.name)",
                                hint: "the guest keeps file names only; rename one of them")
                }
                continue
            }
            seen[module.name] = module.bytes
            let path = guest.modulesDirectory + "/" + module.name
            if archive[path] != nil {
                let owner = owners[String(path.dropFirst())].map { ", given at '\($0)'" } ?? ""
                throw error(.conflict, nil, "the module \(module.name) given with --wasm would replace \(path) in the initramfs\(owner)",
                            hint: "rename the module or the file")
            }
            try add(entry(path, .file(.bytes(module.bytes)), mode: 0o644, key: "--wasm"), key: "--wasm")
        }
        return archive
    }
}
