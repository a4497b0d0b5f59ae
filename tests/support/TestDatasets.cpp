#include "support/TestDatasets.h"

#include <random>

namespace ddpm::test {

Dataset squaresDataset(int n, int R, uint32_t seed) {
    Dataset d;
    d.name = "squares";
    d.format = "test";
    d.count = n;
    d.channels = 3;
    d.height = d.width = R;
    d.trainCount = n - n / 10;
    d.classNames = {"red", "green", "blue", "yellow", "black", "purple"};
    d.pixels.assign(size_t(n) * 3 * R * R, 255);
    std::mt19937 random(seed);
    const uint8_t colours[6][3] = {{220, 30, 30}, {30, 160, 40}, {40, 60, 200}, {240, 200, 20}, {20, 20, 20}, {150, 60, 180}};
    for (int i = 0; i < n; ++i) {
        const int side = 3 + int(random() % uint32_t(R / 2 - 2));
        const int x0 = int(random() % uint32_t(R - side)), y0 = int(random() % uint32_t(R - side));
        const int colour = int(random() % 6);
        d.labels.push_back(colour);
        uint8_t* image = d.pixels.data() + size_t(i) * 3 * R * R;
        for (int c = 0; c < 3; ++c)
            for (int y = y0; y < y0 + side; ++y)
                for (int x = x0; x < x0 + side; ++x) image[size_t(c) * R * R + size_t(y) * R + x] = colours[colour][c];
    }
    return d;
}

Dataset captionedSquares() {
    Dataset d;
    d.name = "squares";
    d.format = "image-folder";
    d.count = d.trainCount = 16;
    d.channels = 1;
    d.height = d.width = 16;
    d.pixels.assign(size_t(16 * 16 * 16), 0);
    for (int64_t i = 0; i < d.count; ++i) {
        const bool bright = i % 2 == 0;
        for (int y = 4; y < 12; ++y)
            for (int x = 4; x < 12; ++x) d.pixels[size_t(i * 256 + y * 16 + x)] = bright ? 255 : 60;
        d.captions.push_back(bright ? "a bright square" : "a dim square");
    }
    return d;
}

}  // namespace ddpm::test
