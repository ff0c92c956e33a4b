//! The marks drawn for each weigh-in (dots, hollow marks for those left out, rings around
//! unusual ones) placed on the pixel grid: a kind's mark is drawn once per pixel, since two
//! weigh-ins on the same pixel look the same as one, and nothing else is dropped.
//!
//! On a bitmap each mark is a circle. In SVG a kind is one `<marker>` holding the circle and
//! one path with a vertex on each mark's pixel: a few bytes a weigh-in instead of a
//! `<circle>` of ~95, so a 20-year history at the window's widest stays well under 200 KB.
//! Each marker is painted on its own, so overlapping translucent dots darken as circles do.

use std::collections::HashSet;
use std::fmt::Write;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ChartError, render_err};

/// How one kind of mark looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MarkStyle {
    pub radius: u32,
    pub color: RGBAColor,
    pub filled: bool,
    pub stroke_width: u32,
}

impl MarkStyle {
    fn shape(self) -> ShapeStyle {
        ShapeStyle { color: self.color, filled: self.filled, stroke_width: self.stroke_width }
    }

    /// A marker id named after what it draws, so two charts inlined in one page can never
    /// disagree about what an id means.
    fn id(self) -> String {
        let RGBAColor(r, g, b, a) = self.color;
        let fill = if self.filled { 'f' } else { 'o' };
        let alpha = (a.clamp(0.0, 1.0) * 100.0).round() as u32;
        format!("heft-mark-r{}w{}{fill}-{r:02x}{g:02x}{b:02x}{alpha}", self.radius, self.stroke_width)
    }
}

/// One kind of mark, at the pixels it is drawn on (image coordinates).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Marks {
    pub style: MarkStyle,
    pub at: Vec<(i32, i32)>,
}

impl Marks {
    /// One mark per pixel, in the order given (the first of each pixel is kept).
    pub fn new(style: MarkStyle, pixels: impl IntoIterator<Item = (i32, i32)>) -> Marks {
        let mut seen = HashSet::new();
        let at = pixels.into_iter().filter(|p| seen.insert(*p)).collect();
        Marks { style, at }
    }

    /// Draws each mark as a circle (bitmaps).
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let style = self.style.shape();
        for &p in &self.at {
            root.draw(&Circle::new(p, self.style.radius, style)).map_err(render_err)?;
        }
        Ok(())
    }

    /// The marks as SVG: the marker, then a path that carries it on every vertex. The path
    /// ends one pixel past the last mark, on a vertex without a marker, so no segment has
    /// zero length and a lone mark is still a path with a line.
    pub fn svg(&self) -> String {
        let Some(&(x0, y0)) = self.at.first() else { return String::new() };
        let s = self.style;
        let id = s.id();
        let RGBAColor(r, g, b, a) = s.color;
        let colour = format!("#{r:02X}{g:02X}{b:02X}");
        let paint = if s.filled {
            format!(r#"fill="{colour}""#)
        } else {
            format!(r#"fill="none" stroke="{colour}" stroke-width="{}""#, s.stroke_width)
        };
        let half = s.radius + s.stroke_width;
        let size = 2 * half;
        let mut out = format!(
            r#"<defs><marker id="{id}" viewBox="-{half} -{half} {size} {size}" markerWidth="{size}" markerHeight="{size}" markerUnits="userSpaceOnUse" overflow="visible"><circle r="{}" {paint} opacity="{a}"/></marker></defs>"#,
            s.radius
        );
        let _ = write!(
            out,
            r#"<path fill="none" stroke="none" marker-start="url(#{id})" marker-mid="url(#{id})" d="M{x0} {y0}l"#
        );
        let mut first = true;
        let mut num = |out: &mut String, v: i32| {
            // A minus sign separates numbers as well as a space does.
            if !first && v >= 0 {
                out.push(' ');
            }
            first = false;
            let _ = write!(out, "{v}");
        };
        for w in self.at.windows(2) {
            num(&mut out, w[1].0 - w[0].0);
            num(&mut out, w[1].1 - w[0].1);
        }
        num(&mut out, 1);
        num(&mut out, 0);
        out.push_str("\"/>\n");
        out
    }
}

/// The text drawn where the `index`th group of SVG marks goes, swapped for it once plotters
/// has written the image (plotters has no way to write SVG of its own).
pub(crate) fn placeholder(index: usize) -> String {
    format!("heft-marks-placeholder-{index}")
}

/// Swaps each placeholder's `<text>` element in `svg` for its group of marks.
pub(crate) fn fill_placeholders(svg: &mut String, groups: &[String]) -> Result<(), ChartError> {
    for (i, group) in groups.iter().enumerate() {
        let token = placeholder(i);
        let missing = || ChartError::Render(format!("the marks' place ({token}) is not in the SVG"));
        let at = svg.find(&format!("\n{token}\n")).ok_or_else(missing)?;
        let start = svg[..at].rfind("<text").ok_or_else(missing)?;
        let close = "</text>\n";
        let end = at + svg[at..].find(close).ok_or_else(missing)? + close.len();
        svg.replace_range(start..end, group);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING: MarkStyle =
        MarkStyle { radius: 5, color: RGBAColor(0xc9, 0x7b, 0x1e, 1.0), filled: false, stroke_width: 2 };

    /// The vertices of an `M x y l dx dy …` path.
    fn vertices(svg: &str) -> Vec<(i32, i32)> {
        let d = svg.split(" d=\"M").nth(1).and_then(|d| d.split('"').next()).expect("a path");
        let (start, rel) = d.split_once('l').expect("relative lines");
        let nums = |s: &str| -> Vec<i32> {
            s.replace('-', " -").split_whitespace().map(|n| n.parse().expect("a number")).collect()
        };
        let s = nums(start);
        let mut at = (s[0], s[1]);
        let mut out = vec![at];
        for d in nums(rel).chunks(2) {
            at = (at.0 + d[0], at.1 + d[1]);
            out.push(at);
        }
        out
    }

    #[test]
    fn marks_on_the_same_pixel_are_drawn_once_and_the_order_is_kept() {
        let m = Marks::new(RING, [(10, 20), (11, 20), (10, 20), (9, 25), (11, 20)]);
        assert_eq!(m.at, [(10, 20), (11, 20), (9, 25)]);
    }

    #[test]
    fn the_svg_path_has_a_vertex_on_every_mark_and_one_unmarked_vertex_past_the_last() {
        let pts = [(100, 200), (103, 190), (103, 250), (98, 251), (4000, 7)];
        let svg = Marks::new(RING, pts).svg();
        let v = vertices(&svg);
        assert_eq!(&v[..pts.len()], &pts, "each mark's pixel, in order: {svg}");
        assert_eq!(v.len(), pts.len() + 1, "and one more: {svg}");
        assert_ne!(v[pts.len()], v[pts.len() - 1], "no zero-length segment, so no renderer drops it");
        assert!(svg.contains("marker-start=") && svg.contains("marker-mid=") && !svg.contains("marker-end="));
        assert!(
            svg.contains(r##"<circle r="5" fill="none" stroke="#C97B1E" stroke-width="2" opacity="1"/>"##)
        );
    }

    #[test]
    fn a_lone_mark_is_a_marker_on_a_path_of_one_line() {
        let svg = Marks::new(RING, [(12, 34)]).svg();
        assert_eq!(vertices(&svg), [(12, 34), (13, 34)], "{svg}");
        assert!(Marks::new(RING, []).svg().is_empty(), "no marks, nothing written");
    }

    #[test]
    fn marker_ids_name_what_they_draw() {
        let dot =
            MarkStyle { radius: 2, color: RGBAColor(0x26, 0x84, 0x80, 0.45), filled: true, stroke_width: 1 };
        assert_eq!(dot.id(), "heft-mark-r2w1f-26848045");
        assert_eq!(RING.id(), "heft-mark-r5w2o-c97b1e100");
        assert_ne!(MarkStyle { color: RGBAColor(0x7a, 0x3d, 0xb8, 0.45), ..dot }.id(), dot.id());
    }

    #[test]
    fn placeholders_are_swapped_for_their_marks_and_a_missing_one_is_an_error() {
        let mut svg = format!(
            "<svg>\n<rect/>\n<text x=\"0\" y=\"0\">\n{}\n</text>\n<polyline/>\n</svg>\n",
            placeholder(0)
        );
        fill_placeholders(&mut svg, &["<path d=\"M1 2l1 0\"/>\n".to_string()]).unwrap();
        assert_eq!(svg, "<svg>\n<rect/>\n<path d=\"M1 2l1 0\"/>\n<polyline/>\n</svg>\n");
        assert!(fill_placeholders(&mut svg, &[String::new()]).is_err());
    }
}
