import Foundation
import Support
import Yams

extension Board {
    static let topKeys = ["format", "description", "sel4", "crossCompilerPrefix", "memory", "uart",
                          "consoleDevice", "qemu", "load", "bootloader"]
    static let sel4Keys = ["platform", "arch", "cpu", "simulation", "cmake", "overlays"]
    static let memoryKeys = ["base", "size", "variants", "sizeSetting"]
    static let uartKeys = ["device", "address", "baud"]
    static let qemuKeys = ["binary", "machine", "cpu", "memory", "extraArgs", "minimumVersion", "serial", "disk", "kernelBoot", "cmake", "cpus"]
    static let qemuDiskKeys = ["interface", "firmwareOption", "firmware", "deviceTree", "filesFromImage", "powerOfTwoSize"]
    static let loadKeys = ["imageAddress", "dtbAddress"]
    static let bootloaderKeys = ["kind", "imageFormat", "uBootConfig", "bootPartition", "blobs"]
    static let blobKeys = ["sha256", "path", "url", "member", "package"]

    /// Loads and validates one board file. The board's name is the file name
    /// without `.yaml`; messages show the file as `<directory>/<file>`.
    public static func load(from url: URL) throws -> Board {
        let shown = DisplayPath.of(url)
        let text = try DisplayPath.read(url, shown: shown)
        return try parse(text, name: DisplayPath.name(of: url, shown: shown), file: shown)
    }

    /// Parses board YAML. `file` is how messages name the file.
    public static func parse(_ text: String, name: String, file: String) throws -> Board {
        let reader = YAMLReader(file: file)
        let root = try reader.root(text: text, article: "a board", allowed: topKeys)

        let description = root.required("description", .string)
        let prefix = root.required("crossCompilerPrefix", .string)
        let consoleDevice = root.optional("consoleDevice", .string)

        let sel4View = root.section("sel4", allowed: sel4Keys, required: true)
        let platform = sel4View?.required("platform", .string)
        let arch = sel4View?.required("arch", .string)
        let cpu = sel4View?.required("cpu", .string)
        let simulation = sel4View?.required("simulation", .bool)
        let cmake = sel4View?.optional("cmake", .map(.setting)) ?? [:]
        let overlays = sel4View?.optional("overlays", .list(.string)) ?? []

        let memoryView = root.section("memory", allowed: memoryKeys, required: true)
        let base = memoryView?.required("base", .address)
        let size = memoryView?.required("size", .size)
        let variants = memoryView?.optional("variants", .list(.size))
        let sizeSetting = memoryView?.optional("sizeSetting", .string)

        let uartView = root.section("uart", allowed: uartKeys, required: true)
        let uartDevice = uartView?.required("device", .string)
        let uartAddress = uartView?.required("address", .address)
        let baud = uartView?.required("baud", .positiveInt)

        var qemu: QEMU?
        if let view = root.section("qemu", allowed: qemuKeys, required: false) {
            let binary = view.required("binary", .string)
            let machine = view.required("machine", .string)
            let qemuCPU = view.required("cpu", .string)
            let memory = view.required("memory", .size)
            let extra = view.optional("extraArgs", .list(.string)) ?? []
            let minimumVersion = view.optional("minimumVersion", .string)
            let serial = view.optional("serial", .list(.string)) ?? []
            let kernelBoot = view.optional("kernelBoot", .bool) ?? true
            let qemuCMake = view.optional("cmake", .map(.setting)) ?? [:]
            let cpus = view.optional("cpus", .positiveInt)
            var disk: QEMU.Disk?
            if let diskView = view.section("disk", allowed: qemuDiskKeys, required: false) {
                let defaults = QEMU.Disk()
                let option = diskView.optional("firmwareOption", .oneOf(QEMU.Disk.FirmwareOption.allCases.map(\.rawValue)))
                disk = QEMU.Disk(
                    interface: diskView.optional("interface", .string) ?? defaults.interface,
                    firmwareOption: option.flatMap(QEMU.Disk.FirmwareOption.init(rawValue:)) ?? defaults.firmwareOption,
                    firmware: diskView.optional("firmware", .string) ?? defaults.firmware,
                    deviceTree: diskView.optional("deviceTree", .string),
                    filesFromImage: diskView.optional("filesFromImage", .bool) ?? false,
                    powerOfTwoSize: diskView.optional("powerOfTwoSize", .bool) ?? false)
            }
            if let binary, let machine, let qemuCPU, let memory {
                qemu = QEMU(binary: binary, machine: machine, cpu: qemuCPU, memory: memory, extraArgs: extra,
                            minimumVersion: minimumVersion, serial: serial, disk: disk, kernelBoot: kernelBoot,
                            cmake: qemuCMake, cpus: cpus)
            }
        }

        var load: Load?
        if let view = root.section("load", allowed: loadKeys, required: false) {
            if let image = view.required("imageAddress", .address) {
                load = Load(imageAddress: image, dtbAddress: view.optional("dtbAddress", .address))
            }
        }

        let bootView = root.section("bootloader", allowed: bootloaderKeys, required: true)
        let kind = bootView?.required("kind", .oneOf(Bootloader.Kind.allCases.map(\.rawValue)))
        let format = bootView?.required("imageFormat", .oneOf(Bootloader.ImageFormat.allCases.map(\.rawValue)))
        let uBootConfig = bootView?.optional("uBootConfig", .string)
        let bootPartition = bootView?.optional("bootPartition", .string)
        var blobs: [String: Blob] = [:]
        if let blobsView = bootView?.section("blobs", allowed: nil, required: false) {
            for entry in blobsView.entries {
                guard let view = blobsView.section(entry.key, allowed: blobKeys, required: true) else { continue }
                if let problem = SafePath.problem(with: entry.key) {
                    reader.report(.invalid(blobsView.placeOf(entry.key), "blob name '\(entry.key)' \(problem)"))
                }
                if let blob = Self.parseBlob(view, reader: reader) { blobs[entry.key] = blob }
            }
        }

        try reader.finish()
        // Past this point every required value is present and well typed.
        guard let description, let prefix, let platform, let arch, let cpu, let simulation,
              let base, let size, let uartDevice, let uartAddress, let baud,
              let kindText = kind, let kind = Bootloader.Kind(rawValue: kindText),
              let formatText = format, let format = Bootloader.ImageFormat(rawValue: formatText),
              let sel4View, let memoryView, let bootView
        else {
            throw BoardError(kind: .invalidValue, file: file, line: nil, keyPath: nil, message: "incomplete board definition")
        }

        let board = Board(
            name: name, description: description,
            sel4: SeL4(platform: platform, arch: arch, cpu: cpu, simulation: simulation, cmake: cmake, overlays: overlays),
            crossCompilerPrefix: prefix,
            memory: Memory(base: base, size: size, variants: variants, sizeSetting: sizeSetting),
            uart: UART(device: uartDevice, address: uartAddress, baud: baud),
            consoleDevice: consoleDevice, qemu: qemu, load: load,
            bootloader: Bootloader(kind: kind, imageFormat: format, uBootConfig: uBootConfig, bootPartition: bootPartition, blobs: blobs))
        board.checkMeaning(root: root, sel4: sel4View, memory: memoryView, boot: bootView, reader: reader)
        try reader.finish()
        return board
    }

    /// One entry of `bootloader.blobs`: a SHA-256 and exactly one source,
    /// `path` (a host file) or `url` (a download, with `member` naming a file
    /// inside it when it is an archive).
    static func parseBlob(_ view: MapView, reader: YAMLReader) -> Blob? {
        let sha = view.required("sha256", .string)
        let path = view.optional("path", .string)
        let url = view.optional("url", .string)
        let member = view.optional("member", .string)
        let package = view.optional("package", .string)
        if let sha, !SHA256Hex.isValid(sha) {
            reader.report(.invalid(view.placeOf("sha256"), "expected 64 lower-case hex digits, got '\(sha)'"))
        }
        switch (view.has("path"), view.has("url")) {
        case (false, false):
            reader.report(BoardError(kind: .missingKey, file: view.place.file, line: view.place.line, keyPath: view.place.keyPath,
                                     message: "a blob needs one source: 'path' (a file on the host) or 'url' (a download)",
                                     hint: "see boards/README.md, 'Boot blobs'"))
        case (true, true):
            reader.report(.invalid(view.placeOf("url"), "a blob has one source, but this one has both 'path' and 'url'; keep one"))
        default:
            break
        }
        if let path, !path.hasPrefix("/") {
            reader.report(.invalid(view.placeOf("path"), "expected an absolute path, got '\(path)'"))
        }
        if let url, !BlobURL.isValid(url) {
            reader.report(.invalid(view.placeOf("url"), "expected an http://, https:// or file:/// URL, got '\(url)'"))
        }
        if let member {
            if !view.has("url") {
                reader.report(.invalid(view.placeOf("member"), "'member' names a file inside the archive at 'url', but this blob has no 'url'"))
            } else if let problem = SafePath.problem(with: member) {
                reader.report(.invalid(view.placeOf("member"),
                    "the member path '\(member)' \(problem); give the file's path inside the archive, like usr/lib/u-boot/rpi_arm64/u-boot.bin"))
            }
        }
        guard let sha else { return nil }
        if let path, url == nil { return Blob(sha256: sha, path: path, package: package) }
        if let url, path == nil { return Blob(sha256: sha, url: url, member: member, package: package) }
        return nil
    }

    /// Checks that relate values to each other and to what seL4 knows.
    private func checkMeaning(root: MapView, sel4 sel4View: MapView, memory memoryView: MapView,
                              boot bootView: MapView, reader: YAMLReader) {
        let known = SeL4Platform.all.map(\.name)
        if let platform = SeL4Platform.named(sel4.platform) {
            if !platform.cpus.contains(sel4.cpu) {
                reader.report(.invalid(sel4View.placeOf("cpu"),
                    "seL4 platform '\(platform.name)' runs on \(platform.cpus.joined(separator: " or ")), not '\(sel4.cpu)'"))
            }
        } else {
            reader.report(.invalid(sel4View.placeOf("platform"),
                "unknown seL4 platform '\(sel4.platform)'; known platforms: \(known.joined(separator: ", "))"))
        }
        if sel4.arch != "aarch64" {
            reader.report(.invalid(sel4View.placeOf("arch"), "expected one of aarch64, got '\(sel4.arch)'"))
        }
        if !crossCompilerPrefix.hasSuffix("-") {
            reader.report(.invalid(root.placeOf("crossCompilerPrefix"),
                "a cross-compiler prefix ends with '-' (like aarch64-linux-gnu-), got '\(crossCompilerPrefix)'"))
        }

        var reserved = ["PLATFORM", "AARCH64", "SIMULATION", "CROSS_COMPILER_PREFIX"]
        if let cpuSetting = SeL4Platform.named(sel4.platform)?.cpuSetting { reserved.append(cpuSetting) }
        if let sizeSetting = memory.sizeSetting { reserved.append(sizeSetting) }
        if let cmakeView = sel4View.entry("cmake").map({ MapView(node: $0.0, place: $0.1, reader: reader, allowed: nil) }) {
            for entry in cmakeView.entries {
                let place = cmakeView.placeOf(entry.key)
                if !CMakeName.isValid(entry.key) {
                    reader.report(.invalid(place, "'\(entry.key)' is not a CMake variable name"))
                } else if reserved.contains(entry.key) {
                    reader.report(.invalid(place, "sel4img sets \(entry.key) itself from the board's other keys; remove it here"))
                }
            }
        }

        if let sizeSetting = memory.sizeSetting, !CMakeName.isValid(sizeSetting) {
            reader.report(.invalid(memoryView.placeOf("sizeSetting"), "'\(sizeSetting)' is not a CMake variable name"))
        }
        if let variants = memory.variants {
            if variants.isEmpty {
                reader.report(.invalid(memoryView.placeOf("variants"), "must list at least one size"))
            } else if !variants.contains(memory.size) {
                let list = variants.map(Quantity.formatSize).joined(separator: ", ")
                reader.report(.invalid(memoryView.placeOf("size"),
                    "\(Quantity.formatSize(memory.size)) is not one of the sizes in 'memory.variants' (\(list))"))
            }
        }
        if let sizeSetting = memory.sizeSetting {
            for size in [memory.size] + (memory.variants ?? []) where size % Quantity.mib != 0 {
                reader.report(.invalid(memoryView.placeOf("size"),
                    "\(sizeSetting) takes whole MiB, and \(Quantity.formatSize(size)) is not"))
                break
            }
        }

        if let qemu {
            let qemuView = root.entry("qemu").map { MapView(node: $0.0, place: $0.1, reader: reader, allowed: nil) }
            if qemu.cpu != sel4.cpu {
                reader.report(.invalid(qemuView?.placeOf("cpu") ?? root.placeOf("qemu"),
                    "QEMU's CPU '\(qemu.cpu)' differs from the CPU seL4 is built for ('sel4.cpu' is '\(sel4.cpu)')"))
            }
            // A board sold in several sizes boots in QEMU when built for one
            // that fits the model (refused at boot otherwise, naming --memory).
            if let variants = memory.variants, !variants.isEmpty {
                if let smallest = variants.min(), qemu.memory < smallest {
                    reader.report(.invalid(qemuView?.placeOf("memory") ?? root.placeOf("qemu"),
                        "QEMU gets \(Quantity.formatSize(qemu.memory)) but the smallest of 'memory.variants' is \(Quantity.formatSize(smallest))"))
                }
            } else if qemu.memory < memory.size {
                reader.report(.invalid(qemuView?.placeOf("memory") ?? root.placeOf("qemu"),
                    "QEMU gets \(Quantity.formatSize(qemu.memory)) but seL4 is built for \(Quantity.formatSize(memory.size)) ('memory.size')"))
            }
            if let disk = qemu.disk {
                let diskView = qemuView?.section("disk", allowed: nil, required: false)
                for (key, name) in [("firmware", disk.firmware), ("deviceTree", disk.deviceTree)] {
                    if let name, bootloader.blobs[name] == nil {
                        reader.report(.invalid(diskView?.placeOf(key) ?? root.placeOf("qemu"),
                            "'\(name.escapingControlCharacters)' is not one of 'bootloader.blobs'"))
                    }
                }
            }
            if !qemu.kernelBoot && bootloader.kind == .none {
                reader.report(.invalid(qemuView?.placeOf("kernelBoot") ?? root.placeOf("qemu"),
                    "QEMU cannot start the image itself, and the board has no bootloader to start it"))
            }
        } else if sel4.simulation {
            reader.report(.invalid(sel4View.placeOf("simulation"),
                "a simulation build needs a 'qemu' section to run in"))
        }

        switch bootloader.kind {
        case .uBoot:
            if bootloader.uBootConfig == nil {
                reader.report(.missingKey(bootView.place, "uBootConfig"))
            }
            if load == nil, !root.has("load") {
                reader.report(.missingKey(root.place, "load"))
            }
            if let partition = bootloader.bootPartition, !Bootloader.isPartition(partition) {
                reader.report(.invalid(bootView.placeOf("bootPartition"),
                    "'\(partition.escapingControlCharacters)' is not a U-Boot partition like 'mmc 1:1' (interface, device number, ':', partition number)"))
            }
        case .none:
            if bootloader.uBootConfig != nil {
                reader.report(.invalid(bootView.placeOf("uBootConfig"), "only a 'u-boot' bootloader takes a U-Boot configuration"))
            }
            if bootloader.bootPartition != nil {
                reader.report(.invalid(bootView.placeOf("bootPartition"), "only a 'u-boot' bootloader reads a boot partition"))
            }
            if qemu == nil {
                reader.report(.invalid(bootView.placeOf("kind"),
                    "'none' means QEMU loads the image itself, but the board has no 'qemu' section"))
            }
        }

        if let load {
            let loadView = root.entry("load").map { MapView(node: $0.0, place: $0.1, reader: reader, allowed: nil) }
            let end = memory.base &+ memory.size
            for (key, address) in [("imageAddress", load.imageAddress), ("dtbAddress", load.dtbAddress)] {
                guard let address, address < memory.base || address >= end else { continue }
                reader.report(.invalid(loadView?.placeOf(key) ?? root.placeOf("load"),
                    "\(Quantity.formatAddress(address)) is outside RAM (\(Quantity.formatAddress(memory.base)) to \(Quantity.formatAddress(end - 1)))"))
            }
        }
    }
}

/// CMake variable names as seL4's build uses them.
enum CMakeName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first)) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || CharacterSet.alphanumerics.contains($0)) }
    }
}

/// URLs a blob may be fetched from.
enum BlobURL {
    /// `http://HOST/…`, `https://HOST/…`, or `file:///ABSOLUTE/PATH`.
    static func isValid(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), Blob.urlSchemes.contains(scheme) else { return false }
        if scheme == "file" {
            return (url.host ?? "").isEmpty && url.path.hasPrefix("/") && url.path.count > 1 && !url.hasDirectoryPath
        }
        return !(url.host ?? "").isEmpty && !url.path.isEmpty && url.path != "/"
    }
}
