package dev.saekit.dsl

import dev.saekit.concepts.ConceptStatistics
import dev.saekit.dashboard.ConceptScan
import dev.saekit.dashboard.Dashboard
import dev.saekit.dashboard.Encoding
import dev.saekit.dashboard.RowContexts
import dev.saekit.dashboard.RowStream
import dev.saekit.dashboard.TokenContexts
import dev.saekit.data.Dataset
import dev.saekit.model.SparseAutoencoder
import dev.saekit.sweep.Preprocessing
import java.nio.file.Path
import java.util.Locale
import kotlin.contracts.ExperimentalContracts
import kotlin.contracts.InvocationKind
import kotlin.contracts.contract

/**
 * A concept dashboard of this SAE over [data] (the engine's [Dashboard]: one streaming pass of
 * statistics, then every concept's top contexts, quantile samples, histogram, labels, nearest atoms
 * and co-firing partners):
 * ```
 * val concepts = sae.dashboard(words) {
 *     preprocessing = pre                          // what the SAE was trained with
 *     top = 20; quantiles(4, 3); similar = 8
 *     names(0 to "animals")
 *     state = Path.of("target/dashboards/words/scan")   // resumable
 * }
 * concepts.write(Path.of("target/dashboards/words"))   // the static site
 * concepts.conceptPage(123)                             // one concept, inline in a notebook
 * ```
 *
 * The data set's labels, if it has any, are the rows' labels: counted per concept, and each row is
 * shown as its label, or, when [DashboardBuilder.imageShape] is given, drawn as a picture captioned
 * by its label. Without labels, rows are drawn as pictures when an image shape is given, and known
 * by number otherwise.
 */
@OptIn(ExperimentalContracts::class)
inline fun SparseAutoencoder.dashboard(
    data: Dataset,
    block: DashboardBuilder.() -> Unit = {},
): Dashboard {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = DashboardBuilder()
    builder.block()
    return builder.build(this, data)
}

/**
 * A concept dashboard of this SAE over the rows of [harvest], each shown as a token in a window of
 * its document ([DashboardBuilder.window] tokens either side) and counted by token. [data] is the
 * harvest's tap as it was read (raw: [DashboardBuilder.preprocessing] is what the SAE was trained
 * with), all of it or the rows of its first shards (`harvest.data(shards = 1)`). The harvest's
 * token table is closed when the dashboard is built.
 */
@OptIn(ExperimentalContracts::class)
inline fun SparseAutoencoder.dashboard(
    harvest: Harvest,
    data: Dataset = harvest.data(),
    block: DashboardBuilder.() -> Unit = {},
): Dashboard {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = DashboardBuilder()
    builder.block()
    return builder.build(this, harvest, data)
}

/** What `dashboard { }` keeps and shows: the engine's [Dashboard.Builder] options as properties. */
@SaekitDsl
class DashboardBuilder @PublishedApi internal constructor() {
    /**
     * What raw rows go through before the SAE reads them, as in training (default: nothing):
     * `Preprocessing(mean, scale)`, or `Preprocessing.fromAttachments(checkpoint.attachments())`.
     */
    var preprocessing: Preprocessing = Preprocessing.none()

    /** Top-activating contexts kept and shown per concept (default 20). */
    var top: Int = 20

    /** Rows each concept keeps as a uniform sample of those it fires on (default 64). */
    var samples: Int = 64

    /** Labels (tokens) counted per concept in bounded memory; 0 counts none (default 64). */
    var labelSlots: Int = 64

    /** Labels (tokens) listed per concept (default 16). */
    var labelsShown: Int = 16

    /** Nearest atoms (cosine) listed per concept (default 8). */
    var similar: Int = 8

    /** Concepts listed per concept among those it fires with (default 8). */
    var partners: Int = 8

    /**
     * Whether to count the rows each pair of concepts fires on (4 bytes a pair); default: wherever
     * the counts fit in one array.
     */
    var cofiring: Boolean? = null

    /** A concept firing on more than this fraction of rows is flagged dense (default 0.1). */
    var denseThreshold: Double = 0.1

    /**
     * Where the scan saves its statistics as it goes: the same block run again continues it, or
     * reuses it when finished (default: not saved).
     */
    var state: Path? = null

    /** Rows encoded at once (default 1024); a continued scan must use the same. */
    var blockRows: Int = 1024

    /** Tokens of the same document shown on either side of a harvest's row (default 8). */
    var window: Int = 8

    /** The dashboard's title (default: the SAE's variant, concepts and data). */
    var title: String? = null

    private var bands = 4
    private var perBand = 3
    private var names: Map<Int, String> = emptyMap()
    private var imageShape: Pair<Int, Int>? = null
    private var progress: ConceptScan.Progress? = null

    /** Bands of each concept's activations, and samples shown from each (default 4 and 3). */
    fun quantiles(bands: Int, perBand: Int = 3) {
        requirePositive("dashboard.quantiles.bands", bands)
        requirePositive("dashboard.quantiles.perBand", perBand)
        this.bands = bands
        this.perBand = perBand
    }

    /** Names people gave concepts: shown beside the automatic label, and searchable. */
    fun names(vararg names: Pair<Int, String>) = names(mapOf(*names))

    /** Names people gave concepts, by concept. */
    fun names(names: Map<Int, String>) {
        this.names = names.toMap()
    }

    /** Rows and atoms are images [height] x [width]: drawn as pictures. */
    fun imageShape(height: Int, width: Int) {
        requirePositive("dashboard.imageShape.height", height)
        requirePositive("dashboard.imageShape.width", width)
        imageShape = height to width
    }

    /** Called as the scan goes with the rows done and the rows in all. */
    fun onProgress(action: (done: Long, total: Long) -> Unit) {
        progress = ConceptScan.Progress { done, total -> action(done, total) }
    }

    @PublishedApi
    internal fun build(sae: SparseAutoencoder, data: Dataset): Dashboard {
        val labels = data.labels().orElse(null)
        val contexts =
            when {
                labels != null -> {
                    requireSetting(
                        labels.size.toLong() == data.rows(),
                        "dashboard data's labels",
                        "${labels.size} labels",
                        "one per row (${data.rows()} rows)",
                    )
                    imageShape?.let { (h, w) -> RowContexts.images(h, w, labels) }
                        ?: RowContexts.labels(labels)
                }
                imageShape != null -> RowContexts.images(imageShape!!.first, imageShape!!.second)
                else -> RowContexts.none()
            }
        return build(sae, RowStream.of(data), contexts)
    }

    @PublishedApi
    internal fun build(sae: SparseAutoencoder, harvest: Harvest, data: Dataset): Dashboard {
        requireSetting(window >= 0, "dashboard.window", window, ">= 0")
        return TokenContexts.open(harvest.directory, window).use { tokens ->
            requireSetting(
                data.rows() <= tokens.rows(),
                "dashboard data",
                "${data.description()} (${data.rows()} rows)",
                "the harvest's rows in order, all ${tokens.rows()} or those of its first shards",
            )
            build(sae, RowStream.of(data), tokens)
        }
    }

    private fun build(sae: SparseAutoencoder, rows: RowStream, contexts: RowContexts): Dashboard {
        requirePositive("dashboard.top", top)
        requirePositive("dashboard.samples", samples)
        requireSetting(labelSlots >= 0, "dashboard.labelSlots", labelSlots, ">= 0")
        requirePositive("dashboard.labelsShown", labelsShown)
        requirePositive("dashboard.similar", similar)
        requirePositive("dashboard.partners", partners)
        requireSetting(
            denseThreshold > 0 && denseThreshold <= 1,
            "dashboard.denseThreshold",
            denseThreshold,
            "a fraction of rows in (0, 1]",
        )
        requirePositive("dashboard.blockRows", blockRows)
        requireSetting(
            rows.cols() == sae.inputDim(),
            "dashboard data's width",
            rows.cols(),
            "the SAE's input width ${sae.inputDim()} (${rows.description()})",
        )
        names.keys.forEach {
            requireSetting(
                it in 0 until sae.nbConcepts(),
                "dashboard.names concept",
                it,
                "in 0..${sae.nbConcepts() - 1}",
            )
        }
        imageShape?.let { (h, w) ->
            requireSetting(
                h.toLong() * w == sae.inputDim().toLong(),
                "dashboard.imageShape",
                "${h}x$w",
                "${sae.inputDim()} pixels, the SAE's input width",
            )
        }
        var settings =
            ConceptStatistics.Settings.of(sae.nbConcepts())
                .withTop(top)
                .withSamples(samples)
                .withLabelSlots(labelSlots)
        cofiring?.let { settings = settings.withCofiring(it) }
        val builder =
            Dashboard.builder(Encoding(sae, preprocessing), rows, contexts)
                .settings(settings)
                .blockRows(blockRows)
                .stateDirectory(state)
                .top(top)
                .quantiles(bands, perBand)
                .neighbours(similar, partners)
                .labelsShown(labelsShown)
                .denseThreshold(denseThreshold)
                .names(names)
                .title(title)
        imageShape?.let { (h, w) -> builder.imageShape(h, w) }
        progress?.let { builder.progress(it) }
        return builder.build()
    }
}

/**
 * One concept's page of a dashboard, as a value: a notebook shows [html] inline (a self-contained
 * fragment, its style scoped to it, no script).
 */
class ConceptPage(val dashboard: Dashboard, val concept: Int) {
    init {
        requireSetting(
            concept in 0 until dashboard.concepts(),
            "conceptPage.concept",
            concept,
            "in 0..${dashboard.concepts() - 1}",
        )
    }

    /** The page as one HTML fragment ([Dashboard.pageHtml]). */
    fun html(): String = dashboard.pageHtml(concept)

    override fun toString(): String {
        val s = dashboard.statistics()
        val name = dashboard.name(concept)?.let { " \"$it\"" } ?: ""
        val fires =
            if (dashboard.dead(concept)) "dead: fires on none of ${"%,d".format(s.rows())} rows"
            else
                String.format(
                    Locale.ROOT,
                    "fires on %,d of %,d rows (%.3g%%), max %.4g%s",
                    s.fired(concept),
                    s.rows(),
                    100 * s.density(concept),
                    s.max(concept),
                    if (dashboard.dense(concept)) ", dense" else "",
                )
        return "concept $concept$name [${dashboard.label(concept)}]: $fires; ${dashboard.title()}"
    }
}

/** Concept [concept]'s page, for a notebook to show inline. */
fun Dashboard.conceptPage(concept: Int): ConceptPage = ConceptPage(this, concept)

/**
 * Concept [concept]'s page of a dashboard of this SAE over [data] with the default options: the
 * dashboard is built on the first call and reused by later calls with the same SAE and data set
 * (the same objects) and preprocessing, so paging through concepts scans once. The last few
 * dashboards are kept; an SAE trained further after the first call gets the dashboard already made
 * (build a new one with [dashboard]).
 */
fun SparseAutoencoder.conceptPage(
    data: Dataset,
    concept: Int,
    preprocessing: Preprocessing = Preprocessing.none(),
): ConceptPage =
    RecentDashboards.get(this, data, preprocessing) {
            dashboard(data) { this.preprocessing = preprocessing }
        }
        .conceptPage(concept)

/** The dashboards [conceptPage] made last, matched by the identity of their SAE and data set. */
private object RecentDashboards {
    private const val KEPT = 4

    private class Entry(
        val sae: SparseAutoencoder,
        val data: Dataset,
        val preprocessing: Preprocessing,
        val dashboard: Dashboard,
    )

    private val recent = ArrayList<Entry>()

    @Synchronized
    fun get(
        sae: SparseAutoencoder,
        data: Dataset,
        preprocessing: Preprocessing,
        make: () -> Dashboard,
    ): Dashboard {
        val i =
            recent.indexOfFirst {
                it.sae === sae &&
                    it.data === data &&
                    it.preprocessing.mean() === preprocessing.mean() &&
                    it.preprocessing.scale() == preprocessing.scale()
            }
        val entry = if (i >= 0) recent.removeAt(i) else Entry(sae, data, preprocessing, make())
        recent.add(0, entry)
        while (recent.size > KEPT) recent.removeAt(recent.size - 1)
        return entry.dashboard
    }
}
