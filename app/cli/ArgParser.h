#pragma once
// A small GNU-style option parser for the ddpm verbs: --name VALUE, --name=VALUE,
// short aliases (-n 16), flags, positionals, generated --help.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

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
    ArgParser(std::string usage, std::string description);

    ArgParser& option(const std::string& name, const std::string& valueName, const std::string& help,
                      const std::string& defaultValue = "", const std::string& shortName = "");
    ArgParser& flag(const std::string& name, const std::string& help, const std::string& shortName = "");
    // Positionals are taken in order; an optional one (last) may be left out.
    ArgParser& positional(const std::string& name, const std::string& help, bool required = true);

    // Parses args (the verb's own arguments); throws UsageError or HelpRequested.
    void parse(const std::vector<std::string>& args);

    bool has(const std::string& name) const;   // given on the command line
    std::string get(const std::string& name) const;   // value or default
    int getInt(const std::string& name, int min, int max) const;
    long long getInt64(const std::string& name, long long min, long long max) const;
    double getDouble(const std::string& name, double min, double max) const;
    // One of the listed words.
    std::string getChoice(const std::string& name, const std::vector<std::string>& choices) const;
    std::string helpText() const;

private:
    struct Spec {
        std::string name, valueName, help, defaultValue, shortName;
        bool isFlag = false, isPositional = false, isRequired = true;
    };
    const Spec* find(const std::string& name) const;
    const Spec* findShort(const std::string& shortName) const;

    std::string usage_, description_;
    std::vector<Spec> specs_;
    std::map<std::string, std::string> values_;
};

}  // namespace ddpm::cli
