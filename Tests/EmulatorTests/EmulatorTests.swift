import Testing
@testable import Emulator
