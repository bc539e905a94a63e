import Testing
@testable import Boards
