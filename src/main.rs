fn main() {
    println!("driftcheck skeleton");
}
