/**
 * Concept dashboards: every concept of an SAE explained on its own page, from data of any size.
 *
 * <p>{@link dev.saekit.dashboard.ConceptScan} makes one streaming pass over the rows, encodes them
 * with the SAE and feeds the codes to the engine's mergeable {@link
 * dev.saekit.concepts.ConceptStatistics}, saving them as it goes so that an interrupted pass
 * resumes. {@link dev.saekit.dashboard.ContextValues} then reads only the rows around each
 * concept's kept activations, to shade every token of a context by its activation. {@link
 * dev.saekit.dashboard.ConceptSite} writes the static site (an index, a page and a JSON file per
 * concept) that opens from the file system with nothing loaded from the network. {@link
 * dev.saekit.dashboard.Dashboard} ties the three together for the command line, the DSL and
 * notebooks.
 */
package dev.saekit.dashboard;
