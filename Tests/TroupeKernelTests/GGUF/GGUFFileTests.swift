import Foundation
import Testing
@testable import TroupeKernel

@Suite("GGUF file")
struct GGUFFileTests {
    @Test("opens the default model and reads its metadata and tensors")
    func readsRealModel() throws {
        let file = try GGUFFile(url: Fixtures.modelURL)
        #expect(file.version == 3)
        #expect(file.architecture == "llama")
        #expect(file.alignment == 32)
        #expect(file.int("llama.context_length") == 8192)
        #expect(file.int("llama.embedding_length") == 576)
        #expect(file.int("llama.block_count") == 30)
        #expect(file.int("llama.attention.head_count") == 9)
        #expect(file.int("llama.attention.head_count_kv") == 3)
        #expect(file.float("llama.rope.freq_base") == 100000)
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        #expect(file.string("tokenizer.ggml.pre") == "smollm")
        #expect(file.strings("tokenizer.ggml.tokens")?.count == 49152)
        #expect(file.metadataKeys.count == file.metadata.count)
        try file.validateForInference()

        #expect(file.tensors.count == 272)
        #expect(file.tensorNames.count == 272)
        let embd = try #require(file.tensors["token_embd.weight"])
        #expect(embd.shape == [576, 49152])
        #expect(embd.byteCount == embd.elementCount / embd.type.blockSize * embd.type.bytesPerBlock)
        let q = try #require(file.tensors["blk.0.attn_q.weight"])
        #expect(q.type == .q4_1)
        #expect(q.shape == [576, 576])
        #expect(q.byteCount == 576 * 576 / 32 * 20)
        let norm = try #require(file.tensors["output_norm.weight"])
        #expect(norm.type == .f32)
        // RMSNorm weights of a trained model are finite, mostly near one.
        let weights = file.data(for: norm).assumingMemoryBound(to: Float.self)
        let values = UnsafeBufferPointer(start: weights, count: 576)
        #expect(values.allSatisfy { $0.isFinite })
        #expect(values.reduce(0, +) / 576 > 0.1)
        for tensor in file.tensors.values {
            #expect(tensor.offset % file.alignment == 0)
            #expect(file.dataOffset + tensor.offset + tensor.byteCount <= file.fileSize)
        }
    }

    @Test("a truncated download is reported as truncated, wherever it is cut")
    func truncatedFile() throws {
        let whole = try Data(contentsOf: Fixtures.modelURL, options: .alwaysMapped)
        for length in [0, 10, 23, 100, 5_000, 1_000_000, whole.count - 1] {
            let error = try Fixtures.withFile(whole.prefix(length)) { path in openError(path) }
            guard case .truncated(let path, _, let size, _) = error else {
                Issue.record("cut at \(length): expected .truncated, got \(String(describing: error))")
                continue
            }
            #expect(size == length)
            #expect(error?.description.contains(path) == true)
            #expect(error?.description.contains("scripts/setup") == true)
        }
    }

    @Test("a wrong magic is reported with the bytes found")
    func wrongMagic() throws {
        var data = GGUFBuilder.minimal().build()
        data[0] = UInt8(ascii: "X")
        let error = try open(data)
        #expect(error == .badMagic(path: error.path, found: Array("XGUF".utf8)))
        #expect(error.description.contains("not a GGUF file"))
    }

    @Test("versions other than 2 and 3 are rejected; 2 is read")
    func versions() throws {
        for version: UInt32 in [0, 1, 4, 0x0300_0000] {
            var b = GGUFBuilder.minimal()
            b.version = version
            guard case .unsupportedVersion(_, let found) = try open(b.build()) else {
                Issue.record("version \(version) was not rejected")
                continue
            }
            #expect(found == version)
        }
        var b = GGUFBuilder.minimal()
        b.version = 2
        try Fixtures.withFile(b.build()) { path in
            let file = try GGUFFile(path: path)
            #expect(file.version == 2)
            #expect(file.tensors["w"]?.shape == [4, 2])
        }
    }

    @Test("an unknown metadata type tag is a metadata error naming the key")
    func badMetadataType() throws {
        var b = GGUFBuilder.minimal()
        b.add("general.broken", rawType: 13, bytes: Data(count: 8))
        guard case .badMetadata(_, let key, _) = try open(b.build()) else {
            Issue.record("expected .badMetadata"); return
        }
        #expect(key == "general.broken")
    }

    @Test("metadata values that cannot be right are rejected")
    func badMetadataValues() throws {
        // A bool byte other than 0 or 1.
        var b = GGUFBuilder.minimal()
        b.add("x.flag", rawType: 7, bytes: Data([2]))
        #expect(try isBadMetadata(b, key: "x.flag"))
        // An alignment that is not a power of two.
        b = GGUFBuilder.minimal()
        b.add("general.alignment", uint32: 24)
        #expect(try isBadMetadata(b, key: "general.alignment"))
        // An architecture that is not a string.
        b = GGUFBuilder()
        b.add("general.architecture", uint32: 1)
        #expect(try isBadMetadata(b, key: "general.architecture"))
        // An array of an unknown element type.
        b = GGUFBuilder.minimal()
        b.add("x.list", rawType: 9, bytes: GGUFBuilder.le(UInt32(77)) + GGUFBuilder.le(UInt64(1)))
        #expect(try isBadMetadata(b, key: "x.list"))
        // A key written twice.
        b = GGUFBuilder.minimal()
        b.add("general.architecture", string: "llama")
        #expect(try isBadMetadata(b, key: "general.architecture"))
    }

    @Test("huge lengths and counts are truncation errors, not allocations")
    func hugeCounts() throws {
        var b = GGUFBuilder.minimal()
        b.add("x.list", rawType: 9, bytes: GGUFBuilder.le(UInt32(6)) + GGUFBuilder.le(UInt64(1) << 60))
        guard case .truncated = try open(b.build()) else { Issue.record("array count"); return }
        b = GGUFBuilder.minimal()
        b.add("x.text", rawType: 8, bytes: GGUFBuilder.le(UInt64.max))
        guard case .truncated = try open(b.build()) else { Issue.record("string length"); return }
        var header = Data("GGUF".utf8) + GGUFBuilder.le(UInt32(3))
        header += GGUFBuilder.le(UInt64.max) + GGUFBuilder.le(UInt64(0))
        guard case .truncated = try open(header) else { Issue.record("tensor count"); return }
    }

    @Test("reads every metadata value type, arrays included")
    func allValueTypes() throws {
        var b = GGUFBuilder.minimal()
        b.add("t.u8", rawType: 0, bytes: Data([200]))
        b.add("t.i8", rawType: 1, bytes: Data([0xFF]))
        b.add("t.u16", rawType: 2, bytes: GGUFBuilder.le(UInt16(60000)))
        b.add("t.i16", rawType: 3, bytes: GGUFBuilder.le(Int16(-300)))
        b.add("t.u32", rawType: 4, bytes: GGUFBuilder.le(UInt32(4_000_000_000)))
        b.add("t.i32", rawType: 5, bytes: GGUFBuilder.le(Int32(-5)))
        b.add("t.f32", rawType: 6, bytes: GGUFBuilder.le(Float(1.5).bitPattern))
        b.add("t.bool", rawType: 7, bytes: Data([1]))
        b.add("t.u64", rawType: 10, bytes: GGUFBuilder.le(UInt64(1) << 40))
        b.add("t.i64", rawType: 11, bytes: GGUFBuilder.le(Int64(-7)))
        b.add("t.f64", rawType: 12, bytes: GGUFBuilder.le(Double(0.25).bitPattern))
        let inner = GGUFBuilder.le(UInt32(5)) + GGUFBuilder.le(UInt64(2))
            + GGUFBuilder.le(Int32(1)) + GGUFBuilder.le(Int32(2))
        b.add("t.nested", rawType: 9, bytes: GGUFBuilder.le(UInt32(9)) + GGUFBuilder.le(UInt64(1)) + inner)
        b.add("t.strings", rawType: 9, bytes: GGUFBuilder.le(UInt32(8)) + GGUFBuilder.le(UInt64(2))
              + GGUFBuilder.string("a") + GGUFBuilder.string("bé"))
        try Fixtures.withFile(b.build()) { path in
            let f = try GGUFFile(path: path)
            #expect(f.metadata["t.u8"] == .uint8(200))
            #expect(f.metadata["t.i8"] == .int8(-1))
            #expect(f.int("t.u16") == 60000)
            #expect(f.int("t.i16") == -300)
            #expect(f.int("t.u32") == 4_000_000_000)
            #expect(f.int("t.i32") == -5)
            #expect(f.float("t.f32") == 1.5)
            #expect(f.bool("t.bool") == true)
            #expect(f.int("t.u64") == 1 << 40)
            #expect(f.int("t.i64") == -7)
            #expect(f.float("t.f64") == 0.25)
            #expect(f.metadata["t.nested"] == .array(elementType: .array, [.array(elementType: .int32, [.int32(1), .int32(2)])]))
            #expect(f.strings("t.strings") == ["a", "bé"])
            #expect(f.ints("t.strings") == nil)
            #expect(f.string("t.u8") == nil)
        }
    }

    @Test("an unknown tensor type id is rejected on open")
    func unknownTensorType() throws {
        var b = GGUFBuilder.minimal()
        b.tensors[0].type = 99
        let error = try open(b.build())
        #expect(error == .unsupportedTensorType(path: error.path, tensor: "w", typeID: 99))
    }

    @Test("a known type the kernel cannot run opens, but fails the inference check")
    func kernelUnsupportedType() throws {
        var b = GGUFBuilder.minimal()
        b.tensors[0] = .init(name: "w", shape: [256], type: GGMLType.q4_K.rawValue, offset: 0)
        b.dataBytes = 144
        try Fixtures.withFile(b.build()) { path in
            let file = try GGUFFile(path: path)
            #expect(file.tensors["w"]?.byteCount == 144)
            #expect(throws: GGUFError.unsupportedTensorType(path: path, tensor: "w", typeID: 12)) {
                try file.validateForInference()
            }
        }
    }

    @Test("a model family other than llama fails the inference check")
    func unsupportedArchitecture() throws {
        var b = GGUFBuilder()
        b.add("general.architecture", string: "gpt2")
        try Fixtures.withFile(b.build()) { path in
            let file = try GGUFFile(path: path)
            #expect(throws: GGUFError.unsupportedArchitecture(path: path, architecture: "gpt2")) {
                try file.validateForInference()
            }
            #expect(GGUFError.unsupportedArchitecture(path: path, architecture: "gpt2")
                .description.contains("'gpt2'"))
        }
    }

    @Test("bad tensor shapes are rejected")
    func badShapes() throws {
        for shape: [Int64] in [[], [1, 1, 1, 1, 1], [-4], [Int64.max, 4]] {
            var b = GGUFBuilder.minimal()
            b.tensors[0].shape = shape
            guard case .badTensorShape(_, "w", _) = try open(b.build()) else {
                Issue.record("shape \(shape) was not rejected"); continue
            }
        }
        var b = GGUFBuilder.minimal()
        b.tensors[0] = .init(name: "w", shape: [33], type: GGMLType.q4_1.rawValue, offset: 0)
        guard case .badTensorShape = try open(b.build()) else { Issue.record("partial block"); return }
        b = GGUFBuilder.minimal()
        b.tensors.append(b.tensors[0])
        guard case .badTensorShape = try open(b.build()) else { Issue.record("duplicate name"); return }
    }

    @Test("misaligned, out-of-file and overlapping tensor data are offset errors")
    func badOffsets() throws {
        var b = GGUFBuilder.minimal()
        b.tensors[0].offset = 4
        guard case .badTensorOffset(_, "w", let problem) = try open(b.build()) else {
            Issue.record("misaligned offset"); return
        }
        #expect(problem.contains("alignment"))
        b.tensors[0].offset = 1 << 20
        guard case .badTensorOffset(_, "w", _) = try open(b.build()) else { Issue.record("past the end"); return }
        b = GGUFBuilder.minimal()
        b.tensors.append(.init(name: "v", shape: [8], type: 0, offset: 0))
        b.dataBytes = 64
        guard case .badTensorOffset = try open(b.build()) else { Issue.record("overlap"); return }
        b.tensors[1].offset = 32
        try Fixtures.withFile(b.build()) { path in
            let file = try GGUFFile(path: path)
            #expect(file.data(for: try #require(file.tensors["v"])) - file.data(for: try #require(file.tensors["w"])) == 32)
        }
    }

    @Test("a missing file or a directory cannot be opened, with a hint")
    func cannotOpen() throws {
        let missing = Fixtures.temporaryFile("absent.gguf").path
        #expect(throws: GGUFError.self) { try GGUFFile(path: missing) }
        do {
            _ = try GGUFFile(path: missing)
        } catch {
            guard case .cannotOpen(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == missing)
            #expect(error.description.contains("scripts/setup"))
        }
        #expect(throws: GGUFError.self) { try GGUFFile(path: NSTemporaryDirectory()) }
    }

    @Test("random corruption of the header region never crashes")
    func fuzzHeader() throws {
        let whole = try Data(contentsOf: Fixtures.modelURL, options: .alwaysMapped)
        // The metadata and tensor table; the tail is cut so every open fails fast or throws.
        let head = Data(whole.prefix(2_000_000))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let url = Fixtures.temporaryFile("fuzz.gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        for _ in 0..<40 {
            var data = head
            for _ in 0..<4 {
                let position = Int(next() % 20_000)
                data[position] = UInt8(truncatingIfNeeded: next())
            }
            try data.write(to: url)
            do { _ = try GGUFFile(url: url) } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    // MARK: Helpers

    private func open(_ data: Data) throws -> GGUFError {
        try Fixtures.withFile(data) { path in
            guard let error = openError(path) else {
                Issue.record("the file opened, but an error was expected")
                return GGUFError.cannotOpen(path: path, reason: "opened")
            }
            return error
        }
    }

    private func openError(_ path: String) -> GGUFError? {
        do {
            _ = try GGUFFile(path: path)
            return nil
        } catch {
            return error
        }
    }

    private func isBadMetadata(_ builder: GGUFBuilder, key: String) throws -> Bool {
        if case .badMetadata(_, key, _) = try open(builder.build()) { return true }
        return false
    }
}

extension GGUFError {
    /// The file path every case carries.
    var path: String {
        switch self {
        case .cannotOpen(let p, _), .truncated(let p, _, _, _), .badMagic(let p, _),
             .unsupportedVersion(let p, _), .badMetadata(let p, _, _), .unsupportedArchitecture(let p, _),
             .unsupportedTensorType(let p, _, _), .badTensorShape(let p, _, _), .badTensorOffset(let p, _, _):
            p
        }
    }
}
