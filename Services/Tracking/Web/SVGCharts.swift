import Foundation

/// Small charts as inline SVG (no script, no library): horizontal bars with labels.
public enum SVGCharts {
    /// One bar: its label, its value and the text shown at its end.
    public struct Bar: Sendable, Hashable {
        public var label: String
        public var value: Double
        public var text: String
        public init(label: String, value: Double, text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }

    /// Bars scaled to `maximum` (nil: the largest value), with a title for screen readers.
    public static func bars(_ bars: [Bar], title: String, maximum: Double? = nil, width: Int = 520) -> String {
        let rowHeight = 26, labelWidth = 170, textWidth = 110
        let height = max(1, bars.count) * rowHeight + 8
        let scale = maximum ?? bars.map(\.value).max() ?? 1
        let track = Double(width - labelWidth - textWidth)
        var svg = #"<svg class="chart" role="img" width="\#(width)" height="\#(height)" viewBox="0 0 \#(width) \#(height)" xmlns="http://www.w3.org/2000/svg">"#
        svg += "<title>\(HTML.escape(title))</title>"
        if bars.isEmpty {
            svg += #"<text x="0" y="18" class="muted">no data in this period</text>"#
        }
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let length = scale > 0 ? max(0, min(1, bar.value / scale)) * track : 0
            svg += #"<text x="\#(labelWidth - 8)" y="\#(y + 16)" text-anchor="end">\#(HTML.escape(bar.label))</text>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(Int(track))" height="16" rx="3" class="track"/>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(String(format: "%.1f", length))" height="16" rx="3" class="bar"/>"#
            svg += #"<text x="\#(labelWidth + Int(track) + 8)" y="\#(y + 16)">\#(HTML.escape(bar.text))</text>"#
        }
        return svg + "</svg>"
    }
}
