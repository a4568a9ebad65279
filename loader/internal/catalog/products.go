package catalog

// Product is an item an order can contain. Its fields match Matomo's ec_items entries
// [sku, name, category, price, quantity] (and the visit model's Product, field for field).
type Product struct {
	SKU, Name, Category string
	Price               float64
}

// productTable is the original's 5 categories × 10 products.
var productTable = []Product{
	{"PHONE-001", "Smartphone Pro Max", "Electronics", 899.99},
	{"PHONE-002", "Budget Smartphone", "Electronics", 199.99},
	{"LAPTOP-001", "Gaming Laptop", "Electronics", 1299.99},
	{"LAPTOP-002", "Business Laptop", "Electronics", 749.99},
	{"TABLET-001", `Pro Tablet 11"`, "Electronics", 599.99},
	{"TABLET-002", "Basic Tablet", "Electronics", 149.99},
	{"HEADPHONE-001", "Wireless Headphones", "Electronics", 249.99},
	{"HEADPHONE-002", "Gaming Headset", "Electronics", 89.99},
	{"CAMERA-001", "Digital Camera", "Electronics", 549.99},
	{"WATCH-001", "Smart Watch", "Electronics", 299.99},
	{"SHIRT-001", "Cotton T-Shirt", "Clothing", 19.99},
	{"SHIRT-002", "Polo Shirt", "Clothing", 39.99},
	{"PANTS-001", "Jeans", "Clothing", 59.99},
	{"PANTS-002", "Chinos", "Clothing", 49.99},
	{"SHOE-001", "Running Shoes", "Clothing", 89.99},
	{"SHOE-002", "Casual Sneakers", "Clothing", 69.99},
	{"JACKET-001", "Winter Jacket", "Clothing", 129.99},
	{"DRESS-001", "Summer Dress", "Clothing", 79.99},
	{"SWEATER-001", "Wool Sweater", "Clothing", 89.99},
	{"HAT-001", "Baseball Cap", "Clothing", 24.99},
	{"BOOK-001", "Programming Guide", "Books", 45.99},
	{"BOOK-002", "Mystery Novel", "Books", 12.99},
	{"BOOK-003", "Cook Book", "Books", 29.99},
	{"BOOK-004", "Science Textbook", "Books", 89.99},
	{"BOOK-005", "Biography", "Books", 19.99},
	{"BOOK-006", "Art History", "Books", 59.99},
	{"BOOK-007", "Travel Guide", "Books", 24.99},
	{"BOOK-008", "Business Strategy", "Books", 34.99},
	{"EBOOK-001", "Digital Marketing (eBook)", "Books", 9.99},
	{"EBOOK-002", "Fiction Collection (eBook)", "Books", 7.99},
	{"FURNITURE-001", "Office Chair", "Home & Garden", 199.99},
	{"FURNITURE-002", "Desk Lamp", "Home & Garden", 49.99},
	{"APPLIANCE-001", "Coffee Maker", "Home & Garden", 89.99},
	{"APPLIANCE-002", "Blender", "Home & Garden", 69.99},
	{"TOOL-001", "Drill Set", "Home & Garden", 79.99},
	{"TOOL-002", "Screwdriver Kit", "Home & Garden", 29.99},
	{"GARDEN-001", "Plant Pot Set", "Home & Garden", 39.99},
	{"GARDEN-002", "Garden Hose", "Home & Garden", 34.99},
	{"DECOR-001", "Wall Art", "Home & Garden", 59.99},
	{"STORAGE-001", "Storage Box", "Home & Garden", 24.99},
	{"SPORT-001", "Yoga Mat", "Sports", 29.99},
	{"SPORT-002", "Dumbbells Set", "Sports", 89.99},
	{"SPORT-003", "Tennis Racket", "Sports", 119.99},
	{"SPORT-004", "Basketball", "Sports", 34.99},
	{"SPORT-005", "Running Shorts", "Sports", 24.99},
	{"SPORT-006", "Athletic T-Shirt", "Sports", 19.99},
	{"SPORT-007", "Water Bottle", "Sports", 14.99},
	{"SPORT-008", "Gym Bag", "Sports", 39.99},
	{"SPORT-009", "Resistance Bands", "Sports", 19.99},
	{"SPORT-010", "Fitness Tracker", "Sports", 149.99},
}

// Products returns the product list (5 categories × 10, prices 7.99–1299.99).
func Products() []Product { return append([]Product(nil), productTable...) }
