import Foundation
import Testing
@testable import TroupeCore

@Suite("Canonical JSON: the fast paths write JSONEncoder's bytes")
struct CanonicalTests {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static var samples: [String] {
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "a/b", "x\"y\\z\n", "\u{2028}\u{2029}", "é😀", "\u{7F}\u{85}\u{A0}\u{FEFF}",
                    "\"\u{301}quoted\"", "12/300"]
        return samples
    }

    @Test(arguments: samples) func stringsAndOneKeyObjectsMatchJSONEncoder(_ text: String) throws {
        #expect(try Canonical.json(text) == String(decoding: try Self.encoder.encode(text), as: UTF8.self))
        let object = ["input": text]
        #expect(try Canonical.json(object) == String(decoding: try Self.encoder.encode(object), as: UTF8.self))
        #expect(try Canonical.decode(String.self, from: Canonical.json(text)) == text)
    }

    @Test(arguments: samples) func fingerprintsCompareWithoutBuildingTheHex(_ text: String) {
        let hash = Canonical.fnv1a(text)
        #expect(Canonical.isFingerprint(Canonical.fingerprint(text), of: hash))
        #expect(!Canonical.isFingerprint(Canonical.hex(hash ^ 1), of: hash))
        #expect(!Canonical.isFingerprint(String(Canonical.fingerprint(text).dropLast()), of: hash))
        #expect(!Canonical.isFingerprint(Canonical.fingerprint(text) + "0", of: hash))
    }

    /// The replay shortcut hashes a function step's request without building it;
    /// a different hash would send every replayed step down the slow path.
    @Test(arguments: samples) func inputHashIsTheHashOfTheRequest(_ text: String) {
        #expect(Canonical.inputHash(text) == Canonical.fnv1a(Canonical.object("input", text)))
    }

    @Test func emptyObjectMatchesJSONEncoder() throws {
        #expect(try Canonical.json([String: String]()) == "{}")
    }
}
