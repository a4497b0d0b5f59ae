#pragma once
// Captions made from what each image shows, for the built-in sets that come without
// text: the class's name and attributes measured on the pixels. Each attribute's word
// is chosen by the third of its class the image falls in, on the training split, so
// that every word splits every class (a third of the sevens are "thick", a third
// "thin", the middle third gets no word):
//   digits:  size (small, large), stroke thickness (thin, thick), slant (slanted left,
//            slanted right): "a large thick seven slanted right", "a thin two", "a zero"
//   clothes: size (small, large), lightness (dark, light): "a dark sneaker", "a large light coat"
// No torch: plain pixels in, text out.
#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace ddpm {

struct ImageAttributes {
    double thickness = 0;   // stroke width in pixels: 2·ink area / ink perimeter
    double slant = 0;       // horizontal shift per row up, from the ink's second moments: > 0 leans right
    double size = 0;        // the ink's spread: its root-mean-square distance from its centre, over the image's side
    double lightness = 0;   // mean brightness of the ink, 0 … 1
};

// One grey image, height × width bytes, ink bright on a dark ground (MNIST's convention).
ImageAttributes measureAttributes(const uint8_t* image, int height, int width);

enum class CaptionScheme { Digits, Clothes };

// An attribute a scheme's captions describe: its words for the lower and the upper third of
// a class, whether they follow the class name ("a seven slanted right") or precede it ("a
// thick seven"), and its measure.
struct CaptionAttribute {
    const char* name;    // "size", "thickness", "slant", "lightness"
    const char* low;     // "small"
    const char* high;    // "large"
    bool after;          // the words follow the class name
    double ImageAttributes::*measure;
};
// In caption order: digits size, thickness, slant; clothes size, lightness.
std::vector<CaptionAttribute> captionAttributes(CaptionScheme scheme);
// The caption of an item of `className` with one word (or "") per attribute, as the captions write it.
std::string captionPhrase(CaptionScheme scheme, const std::string& className, const std::vector<std::string>& words);

// The class words of a scheme's captions, in class order: "zero" … "nine"; "t-shirt" … "ankle boot".
std::vector<std::string> captionClassNames(CaptionScheme scheme);

// One caption per item of a grey, labelled dataset of the scheme's 10 classes (digits in
// order 0…9; Fashion-MNIST's classes in theirs). Throws std::invalid_argument otherwise.
std::vector<std::string> generatedCaptions(const Dataset& dataset, CaptionScheme scheme);

}  // namespace ddpm
