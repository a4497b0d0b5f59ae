#pragma once
// Datasets generated in memory for tests: nothing is read from disk.
#include <cstdint>

#include "data/Dataset.h"

namespace ddpm::test {

// n pictures of R x R RGB: a square of one of six colours, 3 to R/2 pixels wide, somewhere on
// white, labelled by its colour ("red", "green", …). Every tenth is held out.
Dataset squaresDataset(int n, int R, uint32_t seed = 1);

// 16 grey 16 x 16 pictures of a centred square, bright (even items) or dim (odd ones), captioned
// "a bright square" or "a dim square", all for training: a text model learns it in seconds.
Dataset captionedSquares();

}  // namespace ddpm::test
