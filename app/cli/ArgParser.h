#pragma once
// A small GNU-style option parser for the ddpm verbs: --name VALUE, --name=VALUE,
// short aliases (-n 16), flags, positionals, generated --help. A verb's options
// come from the option table (cli/OptionTable.h). No torch here.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/OptionTable.h"

namespace ddpm::cli {

// Wrong usage: printed as "ddpm: error: ..." with exit status 2.
class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// --help was given: the text to print, exit status 0.
struct HelpRequested {
    std::string text;
};

class ArgParser {
public:
    // One argument of a verb: a table option as this verb uses it, or a positional.
    struct Spec {
        std::string name, shortName, valueName, help, defaultValue, details;
        OptionKind kind = OptionKind::Text;
        std::vector<std::string> choices;
        bool isPositional = false, isRequired = true;
        bool isFlag() const { return kind == OptionKind::Flag; }
    };

    // The parser of a verb of the option table: --help, then the verb's options and
    // positionals (taken in order; an optional one, last, may be left out). Throws
    // std::logic_error when the table lacks the verb or an option it lists.
    explicit ArgParser(const std::string& verb);

    // A default that only the running program knows (precision: what this CPU does best).
    void setDefault(const std::string& name, const std::string& value);
    bool accepts(const std::string& name) const;   // an option of this verb

    // Parses args (the verb's own arguments); throws UsageError or HelpRequested.
    void parse(const std::vector<std::string>& args);

    bool has(const std::string& name) const;   // given on the command line
    std::string get(const std::string& name) const;   // value or default
    int getInt(const std::string& name, int min, int max) const;
    long long getInt64(const std::string& name, long long min, long long max) const;
    double getDouble(const std::string& name, double min, double max) const;
    // One of the option's choices in the table.
    std::string getChoice(const std::string& name) const;
    std::string helpText() const;

    const std::string& usage() const { return usage_; }
    const std::string& description() const { return description_; }
    const std::vector<Spec>& specs() const { return specs_; }   // --help, the positionals, the options

private:
    const Spec* find(const std::string& name) const;
    const Spec* findShort(const std::string& shortName) const;

    std::string usage_, description_;
    std::vector<Spec> specs_;
    std::map<std::string, std::string> values_;
};

}  // namespace ddpm::cli
