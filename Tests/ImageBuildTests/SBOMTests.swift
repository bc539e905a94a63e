import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageBuild

/// A provenance value as a build of wasm-runner with a patch set and a boot blob records it, with its output files.
func syntheticBuild(_ dir: TemporaryDirectory, in name: String = "a") throws -> (Provenance, URL) {
    try dir.write("\(name)/sel4image", "IMAGE BYTES")
    try dir.write("\(name)/modules.cpio", "CPIO BYTES")
    let blob = Blob(sha256: String(repeating: "b", count: 64),
                    url: "https://deb.debian.org/debian/pool/non-free-firmware/r/raspi-firmware/raspi-firmware_1.20220830+ds-1_all.deb",
                    member: "usr/lib/raspi-firmware/start4.elf", package: "raspi-firmware")
    let provenance = Provenance(
        board: "rpi4", app: "wasm-runner", sourceDateEpoch: 1_700_000_000,
        manifest: .init(file: "default.xml", sha256: String(repeating: "1", count: 64)),
        lockSHA256: String(repeating: "2", count: 64),
        projects: [
            .init(path: "kernel", url: "https://github.com/seL4/seL4.git", commit: String(repeating: "c", count: 40),
                  license: "BSD-2-Clause AND GPL-2.0-only"),
            .init(path: "tools/seL4", url: "https://github.com/seL4/seL4_tools.git", commit: String(repeating: "d", count: 40), license: nil),
            .init(path: "projects/local", url: "/srv/mirror/local.git", commit: String(repeating: "e", count: 40), license: nil),
        ],
        patchSets: [.init(name: "fixes", seriesSHA256: String(repeating: "3", count: 64), patches: [
            .init(project: "kernel", file: "0001-fix-timer.patch", sha256: String(repeating: "4", count: 64)),
            .init(project: "tools/seL4", file: "0002-elfloader.patch", sha256: String(repeating: "5", count: 64)),
        ])],
        cmakeSettings: ["PLATFORM": "bcm2711", "KernelSel4Arch": "aarch64"],
        tools: ["cmake": "cmake version 3.25.1", "gcc": "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"],
        outputs: [Artifact(role: "image", file: "sel4image", size: 11, sha256: SHA256Hex.of("IMAGE BYTES")),
                  Artifact(role: "modules", file: "modules.cpio", size: 10, sha256: SHA256Hex.of("CPIO BYTES"))],
        components: [Provenance.Component(kind: "boot blob", name: "start4.elf", blob: blob),
                     Provenance.Component(kind: "wasm module", name: "hello.wasm", sha256: String(repeating: "6", count: 64))])
    return (provenance, dir.path(name))
}

func jsonObject(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func element(_ document: [String: Any], _ list: String, named name: String, key: String = "name") throws -> [String: Any] {
    let items = try #require(document[list] as? [[String: Any]])
    return try #require(items.first { $0[key] as? String == name }, "no \(list) entry \(name)")
}

@Suite struct SBOMTests {
    @Test("the SBOM of a build is valid SPDX 2.3 by pyspdxtools")
    func validatesWithSPDXTools() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (provenance, artifacts) = try syntheticBuild(dir)
        try SBOM.document(for: provenance, directory: artifacts).write(to: dir.path("sbom.spdx.json"))
        // pyspdxtools exits 0 and prints nothing for a valid document; an invalid one lists its problems and exits 1.
        let output = try sh("pyspdxtools -i sbom.spdx.json 2>&1", in: dir.url)
        #expect(!output.contains("rror"), "\(output)")
    }

    @Test("patches, blobs, projects, tools and files carry their exact hashes, locations and relationships")
    func exactFields() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (provenance, artifacts) = try syntheticBuild(dir)
        let document = try jsonObject(try SBOM.document(for: provenance, directory: artifacts))
        #expect(document["spdxVersion"] as? String == "SPDX-2.3")
        #expect((document["creationInfo"] as? [String: Any])?["created"] as? String == "2023-11-14T22:13:20Z")
        let namespace = try #require(document["documentNamespace"] as? String)
        #expect(namespace.hasPrefix("https://sel4img.invalid/spdx/rpi4-wasm-runner-") && SHA256Hex.isValid(String(namespace.suffix(64))))

        let patch = try element(document, "packages", named: "fixes/0001-fix-timer.patch")
        #expect(patch["checksums"] as? [[String: String]] == [["algorithm": "SHA256", "checksumValue": String(repeating: "4", count: 64)]])
        let blob = try element(document, "packages", named: "start4.elf")
        #expect(blob["downloadLocation"] as? String == "https://deb.debian.org/debian/pool/non-free-firmware/r/raspi-firmware/raspi-firmware_1.20220830+ds-1_all.deb")
        #expect(blob["checksums"] as? [[String: String]] == [["algorithm": "SHA256", "checksumValue": String(repeating: "b", count: 64)]])
        #expect(blob["versionInfo"] as? String == "1.20220830+ds-1")
        #expect((blob["externalRefs"] as? [[String: String]])?.first?["referenceLocator"] == "pkg:deb/debian/raspi-firmware@1.20220830+ds-1")
        #expect(blob["comment"] as? String == "boot blob start4.elf; member usr/lib/raspi-firmware/start4.elf of https://deb.debian.org/debian/pool/non-free-firmware/r/raspi-firmware/raspi-firmware_1.20220830+ds-1_all.deb; Debian package raspi-firmware version 1.20220830+ds-1")

        let kernel = try element(document, "packages", named: "kernel")
        #expect(kernel["downloadLocation"] as? String == "git+https://github.com/seL4/seL4.git@" + String(repeating: "c", count: 40))
        #expect(kernel["versionInfo"] as? String == String(repeating: "c", count: 40))
        #expect(kernel["licenseDeclared"] as? String == "BSD-2-Clause AND GPL-2.0-only")
        #expect(try element(document, "packages", named: "tools/seL4")["licenseDeclared"] as? String == "NOASSERTION")
        // A local path is never a download location.
        let local = try element(document, "packages", named: "projects/local")
        #expect(local["downloadLocation"] as? String == "NOASSERTION")
        #expect(try element(document, "packages", named: "gcc")["versionInfo"] as? String == "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0")

        let image = try element(document, "files", named: "./sel4image", key: "fileName")
        let sha1 = try sh("sha1sum sel4image", in: artifacts).prefix(40)
        #expect(image["checksums"] as? [[String: String]] == [["algorithm": "SHA1", "checksumValue": String(sha1)],
                                                              ["algorithm": "SHA256", "checksumValue": SHA256Hex.of("IMAGE BYTES")]])

        // SPDX's verification code over the image's files, cross-checked with sha1sum.
        let code = try sh("for f in modules.cpio sel4image; do sha1sum $f | cut -c1-40; done | sort | tr -d '\\n' | sha1sum | cut -c1-40", in: artifacts)
        let imagePackage = try element(document, "packages", named: "rpi4-wasm-runner")
        #expect(imagePackage["filesAnalyzed"] as? Bool == true)
        #expect((imagePackage["packageVerificationCode"] as? [String: String])?["packageVerificationCodeValue"] == code.trimmingCharacters(in: .newlines))

        let relationships = try #require(document["relationships"] as? [[String: String]]).map {
            "\($0["spdxElementId"]!) \($0["relationshipType"]!) \($0["relatedSpdxElement"]!)"
        }
        #expect(relationships.contains("SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image-rpi4-wasm-runner"))
        #expect(relationships.contains("SPDXRef-Image-rpi4-wasm-runner GENERATED_FROM SPDXRef-Project-kernel"))
        #expect(relationships.contains("SPDXRef-Patch-fixes-0001-fix-timer.patch PATCH_APPLIED SPDXRef-Project-kernel"))
        #expect(relationships.contains("SPDXRef-Patch-fixes-0002-elfloader.patch PATCH_APPLIED SPDXRef-Project-tools-seL4"))
        #expect(relationships.contains("SPDXRef-Image-rpi4-wasm-runner CONTAINS SPDXRef-BootBlob-start4.elf"))
        #expect(relationships.contains("SPDXRef-Image-rpi4-wasm-runner CONTAINS SPDXRef-WasmModule-hello.wasm"))
        #expect(relationships.contains("SPDXRef-Tool-gcc BUILD_TOOL_OF SPDXRef-Image-rpi4-wasm-runner"))
        #expect(relationships.contains("SPDXRef-Image-rpi4-wasm-runner CONTAINS SPDXRef-File-sel4image"))
    }

    @Test("equal provenance and outputs in two directories give identical bytes; a changed patch changes the namespace")
    func reproducible() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (provenance, first) = try syntheticBuild(dir, in: "one")
        let (again, second) = try syntheticBuild(dir, in: "two")
        let bytes = try SBOM.document(for: provenance, directory: first)
        #expect(try SBOM.document(for: again, directory: second) == bytes)
        var patched = provenance
        patched.patchSets[0].patches[0].sha256 = String(repeating: "7", count: 64)
        let changed = try jsonObject(try SBOM.document(for: patched, directory: first))
        #expect(changed["documentNamespace"] as? String != (try jsonObject(bytes))["documentNamespace"] as? String)
    }

    @Test("an output that changed since the build is refused, naming the file and both hashes")
    func changedOutput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (provenance, artifacts) = try syntheticBuild(dir)
        try dir.write("a/sel4image", "TAMPERED")
        #expect { try SBOM.document(for: provenance, directory: artifacts) } throws: { error in
            "\(error)" == "\(artifacts.path)/sel4image changed since the build: its SHA-256 is \(SHA256Hex.of("TAMPERED")), provenance.json records \(SHA256Hex.of("IMAGE BYTES"))"
        }
    }

    @Test("a tree's declared license: an SPDX tag in LICENSE, else LICENSES/, else none (never a guess from text)")
    func declaredLicense() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("tagged/LICENSE.md", "Copyright Someone\n\nSPDX-License-Identifier: Apache-2.0 WITH LLVM-exception\n")
        try dir.write("reuse/LICENSES/GPL-2.0-only.txt", "text")
        try dir.write("reuse/LICENSES/BSD-2-Clause.txt", "text")
        try dir.write("reuse/LICENSES/LicenseRef-Vendor.txt", "text")
        try dir.write("plain/LICENSE", "MIT License\n\nPermission is hereby granted, free of charge, …\n")
        try dir.write("none/README", "hello")
        #expect(DeclaredLicense.read(dir.path("tagged")) == "Apache-2.0 WITH LLVM-exception")
        #expect(DeclaredLicense.read(dir.path("reuse")) == "BSD-2-Clause AND GPL-2.0-only")
        #expect(DeclaredLicense.read(dir.path("plain")) == nil)
        #expect(DeclaredLicense.read(dir.path("none")) == nil)
    }

    @Test("provenance.json without a key or with a wrong type is refused naming the file and the key")
    func malformedProvenance() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (provenance, _) = try syntheticBuild(dir)
        var object = try jsonObject(try provenance.encoded())
        object.removeValue(forKey: "board")
        try JSONSerialization.data(withJSONObject: object).write(to: dir.path("p.json"))
        #expect { try Provenance.read(dir.path("p.json")) } throws: { "\($0)" == "\(dir.path("p.json").path): missing key 'board'" }
        object["board"] = "rpi4"
        var outputs = try #require(object["outputs"] as? [[String: Any]])
        outputs[1]["size"] = "ten"
        object["outputs"] = outputs
        try JSONSerialization.data(withJSONObject: object).write(to: dir.path("p.json"))
        #expect { try Provenance.read(dir.path("p.json")) } throws: {
            "\($0)".hasPrefix("\(dir.path("p.json").path): 'outputs[1].size' has the wrong type")
        }
        // Provenance written before components and licenses were recorded still reads.
        object = try jsonObject(try provenance.encoded())
        object.removeValue(forKey: "components")
        try JSONSerialization.data(withJSONObject: object).write(to: dir.path("p.json"))
        #expect(try Provenance.read(dir.path("p.json")).components == nil)
    }
}
