package dev.saekit.jupyter

import java.awt.image.BufferedImage

/** Matrices as images: heat maps with a colour scale, and image-shaped rows as grey tiles. */
internal object Raster {
    // viridis at five stops: dark blue, blue, teal, green, yellow
    private val SEQUENTIAL =
        arrayOf(
            intArrayOf(68, 1, 84),
            intArrayOf(59, 82, 139),
            intArrayOf(33, 145, 140),
            intArrayOf(94, 201, 98),
            intArrayOf(253, 231, 37),
        )
    private val DIVERGING =
        arrayOf(intArrayOf(33, 102, 172), intArrayOf(247, 247, 247), intArrayOf(178, 24, 43))

    private fun interpolate(stops: Array<IntArray>, t: Double): Int {
        val x = t.coerceIn(0.0, 1.0) * (stops.size - 1)
        val i = minOf(x.toInt(), stops.size - 2)
        val f = x - i
        val c = IntArray(3) { (stops[i][it] + f * (stops[i + 1][it] - stops[i][it])).toInt() }
        return (c[0] shl 16) or (c[1] shl 8) or c[2]
    }

    /** Values in [0, max] from dark to bright; zero is the darkest colour. */
    fun sequential(v: Double, max: Double): Int =
        interpolate(SEQUENTIAL, if (max > 0) v / max else 0.0)

    /** Values in [-max, max] from blue through white to red. */
    fun diverging(v: Double, max: Double): Int =
        interpolate(DIVERGING, if (max > 0) 0.5 + 0.5 * v / max else 0.5)

    /** A `rows x cols` heat map, each value one pixel, coloured by [colour]. */
    fun heatmap(values: Array<DoubleArray>, colour: (Double) -> Int): BufferedImage {
        val rows = values.size
        val cols = values.firstOrNull()?.size ?: 0
        val image = BufferedImage(maxOf(cols, 1), maxOf(rows, 1), BufferedImage.TYPE_INT_RGB)
        for (r in 0 until rows) {
            for (c in 0 until cols) {
                image.setRGB(c, r, colour(values[r][c]))
            }
        }
        return image
    }

    /** One image-shaped row (`height * width` values) as a grey tile, scaled to its own range. */
    fun greyTile(values: DoubleArray, shape: ImageShape, signed: Boolean = false): BufferedImage {
        val image = BufferedImage(shape.width, shape.height, BufferedImage.TYPE_INT_RGB)
        val max = values.maxOf { Math.abs(it) }.takeIf { it > 0 } ?: 1.0
        val min = if (signed) -max else values.minOrNull() ?: 0.0
        val top = if (signed) max else values.maxOrNull() ?: 1.0
        val span = (top - min).takeIf { it > 0 } ?: 1.0
        for (y in 0 until shape.height) {
            for (x in 0 until shape.width) {
                val v = values[y * shape.width + x]
                val rgb =
                    if (signed) diverging(v, max)
                    else {
                        val g = (255 * (v - min) / span).toInt().coerceIn(0, 255)
                        (g shl 16) or (g shl 8) or g
                    }
                image.setRGB(x, y, rgb)
            }
        }
        return image
    }
}

/** The shape of image rows: a row of `height * width` values is drawn as an image. */
data class ImageShape(val height: Int, val width: Int) {
    init {
        require(height > 0 && width > 0) {
            "ImageShape needs height and width > 0, was ${height}x$width"
        }
    }

    val size: Int
        get() = height * width
}
