import Foundation
import Testing
import TroupeCore
@testable import TroupeKernel

@Suite("Chat template")
struct ChatTemplateTests {
    @Test("the GGUF's template is recognised as ChatML with SmolLM's default system prompt")
    func recognisesModelTemplate() throws {
        let template = ChatTemplate(file: try Fixtures.model.get())
        #expect(template.isRecognized)
        #expect(template.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        #expect(template.source == (try Reference.shared.get().template))
    }

    @Test("prompt text and token ids equal the reference for every prompt")
    func matchesReference() throws {
        let reference = try Reference.shared.get()
        let template = ChatTemplate(file: try Fixtures.model.get())
        let tokenizer = try Fixtures.tokenizer.get()
        #expect(reference.prompts.count >= 6)
        for prompt in reference.prompts {
            let messages = try prompt.messages.map { message in
                ChatMessage(role: try #require(Role(rawValue: message.role)), content: message.content)
            }
            let text = template.render(messages: messages, addGenerationPrompt: true)
            #expect(text == prompt.prompt_text, "\(prompt.id)")
            #expect(tokenizer.encode(text, parseSpecial: true) == prompt.prompt_token_ids, "\(prompt.id)")
        }
    }

    @Test("a conversation that starts with a system message keeps it and gets no default")
    func explicitSystem() throws {
        let template = ChatTemplate(file: try Fixtures.model.get())
        let text = template.render(messages: [.system("Be brief."), .user("Hi"), .assistant("Hello."), .user("Bye")],
                                   addGenerationPrompt: false)
        #expect(text == """
            <|im_start|>system
            Be brief.<|im_end|>
            <|im_start|>user
            Hi<|im_end|>
            <|im_start|>assistant
            Hello.<|im_end|>
            <|im_start|>user
            Bye<|im_end|>

            """)
    }

    @Test("an unknown or missing template falls back to plain ChatML")
    func fallback() {
        for source in [nil, "{{ bos_token }}{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}"] {
            let template = ChatTemplate(source: source)
            #expect(!template.isRecognized)
            #expect(template.defaultSystemPrompt == nil)
            #expect(template.render(messages: [.user("Hi")], addGenerationPrompt: true)
                    == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        }
        // ChatML without a default system branch (Qwen-style) adds none.
        let plain = ChatTemplate(source: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}")
        #expect(plain.isRecognized)
        #expect(plain.defaultSystemPrompt == nil)
        // An escaped newline in the literal is understood.
        let escaped = ChatTemplate(source: "{% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are kind.<|im_end|>\\n' }}{% endif %}")
        #expect(escaped.defaultSystemPrompt == "You are kind.")
    }
}
