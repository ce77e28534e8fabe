/// What a vocabulary entry is, as GGUF's `tokenizer.ggml.token_type` records it.
///
/// Control tokens (`<|im_start|>`) structure a prompt and are never produced
/// from plain text unless special-token parsing is on; user-defined tokens are
/// always matched as whole strings; normal tokens come out of BPE merges.
public enum TokenType: Int32, Sendable, Hashable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}
