package dev.saekit.io;

/** The file formats {@link DataFiles} reads. */
public enum DataFormat {
    NPY("npy"),
    NPZ("npz"),
    SAFETENSORS("safetensors"),
    IDX("idx"),
    IDX_GZIP("idx.gz");

    private final String label;

    DataFormat(String label) {
        this.label = label;
    }

    /** The name shown to users and written to JSON: {@code npy}, {@code npz}, {@code safetensors}, {@code idx}, {@code idx.gz}. */
    public String label() {
        return label;
    }

    /** True for the formats that hold several named arrays. */
    public boolean hasNames() {
        return this == NPZ || this == SAFETENSORS;
    }

    @Override
    public String toString() {
        return label;
    }
}
