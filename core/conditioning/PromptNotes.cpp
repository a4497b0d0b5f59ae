#include "conditioning/PromptNotes.h"

#include <algorithm>
#include <stdexcept>

#include "conditioning/ClipTextEncoder.h"

namespace ddpm {

namespace {

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
    return text;
}

// A CLIP prompt without a word; invalid UTF-8 is left for the tokenizer to report.
bool blankForClip(const std::string& prompt) {
    try {
        return ClipTokenizer::words(prompt).empty();
    } catch (const std::invalid_argument&) {
        return false;
    }
}

}  // namespace

PromptNotes notePrompts(const ModelConfig& model, const std::vector<std::string>& prompts) {
    if (!model.text.enabled()) throw std::invalid_argument("this model takes no prompts (it was trained without text)");
    PromptNotes out;
    const size_t context = size_t(model.text.context);
    if (model.text.usesClip()) {
        // Blank prompts need no folder: the null condition is the model's own.
        if (std::all_of(prompts.begin(), prompts.end(), blankForClip)) {
            out.blank = prompts.size();
            if (!prompts.empty()) out.notes.push_back("an empty prompt: sampling unconditionally");
            return out;
        }
        const auto encoder = ClipTextEncoder::open(model.text.clipFolder());
        for (const std::string& prompt : prompts) out.tokenized.push_back(encoder->tokenizer().encode(prompt, context));
    } else {
        const WordTokenizer tokenizer = WordTokenizer::fromWords(model.text.words);
        for (const std::string& prompt : prompts) out.tokenized.push_back(tokenizer.encode(prompt, context));
    }
    // The built-in encoder drops whole words; CLIP drops tokens, so its cut word may be partly in.
    const std::string unit = model.text.usesClip() ? " tokens" : " words";
    const std::string cut = model.text.usesClip() ? "' is cut in its word " : "' is cut before its word ";
    std::vector<std::string> seen;
    for (size_t i = 0; i < prompts.size(); ++i) {
        const std::string& prompt = prompts[i];
        const TokenizedPrompt& t = out.tokenized[i];
        const bool blank = std::count(t.mask.begin(), t.mask.end(), 1) == 2 && !t.truncated();
        out.blank += blank ? 1 : 0;
        if (std::find(seen.begin(), seen.end(), prompt) != seen.end()) continue;
        seen.push_back(prompt);
        if (blank) out.notes.push_back("an empty prompt: sampling unconditionally");
        if (!t.unknown.empty())
            out.notes.push_back("'" + prompt + "': the model never saw the word" + (t.unknown.size() > 1 ? "s " : " ") +
                                joined(t.unknown) + " (read as its unknown-word token)");
        if (t.truncated())
            out.notes.push_back("'" + prompt + cut + std::to_string(t.truncatedAt + 1) + " ('" + t.cutWord +
                                "'): the model reads " + std::to_string(model.text.context - 2) + unit);
    }
    return out;
}

}  // namespace ddpm
