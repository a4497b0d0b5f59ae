#pragma once
// The ddpm verbs and their options, each option declared once: name, short alias,
// value name, kind, default and help. A verb lists the options it takes, with its
// own help or default where its use differs. ArgParser builds a verb's parser from
// this table, so 'ddpm VERB --help' and the man page's VERBS section (printed by
// ddpm-man-options at build time, packaging/ddpm.1.in) come from the same entries.
// No torch here: the man page generator is built from this and ArgParser alone.
#include <string>
#include <vector>

namespace ddpm::cli {

enum class OptionKind {
    Flag,     // no value: given or not
    Int,      // a whole number
    Number,   // a decimal number
    Text,     // a word, a path or a name
    List,     // whole numbers separated by commas
    Choice,   // one of the listed words
};

struct OptionSpec {
    const char* name;        // --name
    const char* shortName;   // -x, or ""
    const char* valueName;   // N, FILE, ...; "" for flags
    OptionKind kind;
    std::vector<std::string> choices;   // Choice: the words, in the order an error lists them
    const char* defaultValue;           // "" for none, or when it depends (then the help says on what)
    const char* help;                   // the line of --help
    const char* details = "";           // further sentences for the man page only
    const char* key = nullptr;          // what verbs list when two options share a name; else the name

    std::string id() const { return key ? key : name; }
};

// A verb's use of a table option: the option's key, and this verb's help, default or
// man-page details where they differ from the table's (nullptr: the table's).
struct OptionUse {
    const char* key;
    const char* help = nullptr;
    const char* defaultValue = nullptr;
    const char* details = nullptr;
};

struct PositionalSpec {
    const char* name;
    const char* help;
    bool required = true;   // only the last one may be optional
};

struct VerbSpec {
    const char* name;
    const char* summary;       // its line in 'ddpm --help'
    const char* usage;         // alternatives separated by "  |  "
    const char* description;   // --help's paragraph, lines broken for a terminal
    const char* details;       // further prose for the man page only, or ""
    std::vector<PositionalSpec> positionals;
    std::vector<OptionUse> options;   // in --help order; --help itself comes first by itself
};

const std::vector<OptionSpec>& optionTable();
const std::vector<VerbSpec>& verbTable();   // in 'ddpm --help' order
const OptionSpec* findOption(const std::string& key);   // nullptr when the table has none
const VerbSpec* findVerb(const std::string& name);      // nullptr when the table has none

}  // namespace ddpm::cli
