import ArgumentParser

public struct SEL4Img: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sel4img",
        abstract: "Build seL4 systems from source to bootable, flashable images."
    )
    public init() {}
}
