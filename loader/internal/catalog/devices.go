package catalog

import "math/rand/v2"

// DeviceClass is the kind of device a user agent belongs to, as Matomo's device
// detection reports it.
type DeviceClass string

// Device classes.
const (
	Desktop DeviceClass = "desktop"
	Mobile  DeviceClass = "mobile"
	Tablet  DeviceClass = "tablet"
)

// ClassShares are the traffic shares of the device classes (current web-wide figures,
// rounded): the pool's weights are scaled so each class gets exactly its share.
var ClassShares = map[DeviceClass]float64{Desktop: 0.55, Mobile: 0.40, Tablet: 0.05}

// Device is one browser: the User-Agent it sends, its class, its share of visits and the
// screen resolutions (Matomo's res, "WxH") that fit it.
type Device struct {
	UA          string
	Class       DeviceClass
	Weight      float64
	Resolutions []string
}

// Resolution draws one of the device's screen resolutions.
func (d *Device) Resolution(r *rand.Rand) string {
	return d.Resolutions[r.IntN(len(d.Resolutions))]
}

var (
	resWindows = []string{"1920x1080", "1366x768", "1536x864", "2560x1440", "1440x900", "1280x720",
		"1600x900", "1680x1050", "1920x1200", "3840x2160"}
	resMac     = []string{"1440x900", "1512x982", "1728x1117", "1470x956", "2560x1440", "1920x1080", "1680x1050"}
	resLinux   = []string{"1920x1080", "2560x1440", "1366x768", "1920x1200"}
	resCrOS    = []string{"1366x768", "1536x864", "1920x1080"}
	resIPhone  = []string{"390x844", "393x852", "430x932", "375x812", "414x896", "402x874", "440x956", "375x667"}
	resAndroid = []string{"412x915", "360x800", "384x854", "393x873", "412x892", "360x780", "411x914"}
	resIPad    = []string{"810x1080", "820x1180", "834x1194", "1024x1366", "768x1024"}
	resTablet  = []string{"800x1280", "1280x800", "1200x1920", "1920x1200"}
)

const (
	uaWin     = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	uaMac     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/"
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS "
	uaIPad    = "Mozilla/5.0 (iPad; CPU OS "
	uaWebKit  = " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	uaAndroid = "Mozilla/5.0 (Linux; Android "
	uaBlink   = ") AppleWebKit/537.36 (KHTML, like Gecko) "
)

// devicePool lists current browsers with relative weights inside their class.
var devicePool = []Device{
	{UA: uaWin + "Chrome/142.0.0.0 Safari/537.36", Class: Desktop, Weight: 17, Resolutions: resWindows},
	{UA: uaWin + "Chrome/141.0.0.0 Safari/537.36", Class: Desktop, Weight: 6, Resolutions: resWindows},
	{UA: uaWin + "Chrome/140.0.0.0 Safari/537.36", Class: Desktop, Weight: 2, Resolutions: resWindows},
	{UA: uaWin + "Chrome/139.0.0.0 Safari/537.36", Class: Desktop, Weight: 1, Resolutions: resWindows},
	{UA: uaWin + "Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0", Class: Desktop, Weight: 6, Resolutions: resWindows},
	{UA: uaWin + "Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0", Class: Desktop, Weight: 2, Resolutions: resWindows},
	{UA: uaWin + "Chrome/141.0.0.0 Safari/537.36 OPR/125.0.0.0", Class: Desktop, Weight: 0.5, Resolutions: resWindows},
	{UA: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0", Class: Desktop, Weight: 3, Resolutions: resWindows},
	{UA: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:144.0) Gecko/20100101 Firefox/144.0", Class: Desktop, Weight: 1.5, Resolutions: resWindows},
	{UA: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0", Class: Desktop, Weight: 0.5, Resolutions: resWindows},
	{UA: uaMac + "537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36", Class: Desktop, Weight: 5, Resolutions: resMac},
	{UA: uaMac + "537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36", Class: Desktop, Weight: 1.5, Resolutions: resMac},
	{UA: uaMac + "537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36", Class: Desktop, Weight: 0.5, Resolutions: resMac},
	{UA: uaMac + "605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15", Class: Desktop, Weight: 3, Resolutions: resMac},
	{UA: uaMac + "605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15", Class: Desktop, Weight: 2, Resolutions: resMac},
	{UA: uaMac + "537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0", Class: Desktop, Weight: 0.8, Resolutions: resMac},
	{UA: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:145.0) Gecko/20100101 Firefox/145.0", Class: Desktop, Weight: 1, Resolutions: resMac},
	{UA: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36", Class: Desktop, Weight: 1.5, Resolutions: resLinux},
	{UA: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0", Class: Desktop, Weight: 1, Resolutions: resLinux},
	{UA: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36", Class: Desktop, Weight: 0.7, Resolutions: resCrOS},

	{UA: uaIPhone + "18_6" + uaWebKit + "Version/26.1 Mobile/15E148 Safari/604.1", Class: Mobile, Weight: 9, Resolutions: resIPhone},
	{UA: uaIPhone + "18_6" + uaWebKit + "Version/18.6 Mobile/15E148 Safari/604.1", Class: Mobile, Weight: 5, Resolutions: resIPhone},
	{UA: uaIPhone + "18_5" + uaWebKit + "Version/18.5 Mobile/15E148 Safari/604.1", Class: Mobile, Weight: 2, Resolutions: resIPhone},
	{UA: uaIPhone + "17_7" + uaWebKit + "Version/17.7 Mobile/15E148 Safari/604.1", Class: Mobile, Weight: 1.5, Resolutions: resIPhone},
	{UA: uaIPhone + "16_7_10" + uaWebKit + "Version/16.6 Mobile/15E148 Safari/604.1", Class: Mobile, Weight: 0.5, Resolutions: resIPhone},
	{UA: uaIPhone + "18_6" + uaWebKit + "CriOS/142.0.7444.77 Mobile/15E148 Safari/604.1", Class: Mobile, Weight: 2.5, Resolutions: resIPhone},
	{UA: uaAndroid + "10; K" + uaBlink + "Chrome/142.0.0.0 Mobile Safari/537.36", Class: Mobile, Weight: 12, Resolutions: resAndroid},
	{UA: uaAndroid + "10; K" + uaBlink + "Chrome/141.0.0.0 Mobile Safari/537.36", Class: Mobile, Weight: 3, Resolutions: resAndroid},
	{UA: uaAndroid + "10; K" + uaBlink + "Chrome/140.0.0.0 Mobile Safari/537.36", Class: Mobile, Weight: 1, Resolutions: resAndroid},
	{UA: uaAndroid + "15; SM-S931B" + uaBlink + "SamsungBrowser/29.0 Chrome/136.0.0.0 Mobile Safari/537.36", Class: Mobile, Weight: 3, Resolutions: resAndroid},
	{UA: uaAndroid + "14; SM-A556B" + uaBlink + "SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36", Class: Mobile, Weight: 1.5, Resolutions: resAndroid},
	{UA: uaAndroid + "13; SM-A145R" + uaBlink + "SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36", Class: Mobile, Weight: 0.5, Resolutions: resAndroid},
	{UA: uaAndroid + "10; K" + uaBlink + "Chrome/141.0.0.0 Mobile Safari/537.36 OPR/92.0.0.0", Class: Mobile, Weight: 0.3, Resolutions: resAndroid},
	{UA: "Mozilla/5.0 (Android 15; Mobile; rv:145.0) Gecko/145.0 Firefox/145.0", Class: Mobile, Weight: 0.5, Resolutions: resAndroid},

	{UA: uaIPad + "18_6" + uaWebKit + "Version/26.1 Mobile/15E148 Safari/604.1", Class: Tablet, Weight: 2, Resolutions: resIPad},
	{UA: uaIPad + "17_7" + uaWebKit + "Version/17.7 Mobile/15E148 Safari/604.1", Class: Tablet, Weight: 0.3, Resolutions: resIPad},
	{UA: uaIPad + "18_6" + uaWebKit + "CriOS/142.0.7444.77 Mobile/15E148 Safari/604.1", Class: Tablet, Weight: 1, Resolutions: resIPad},
	{UA: uaAndroid + "14; SM-X710" + uaBlink + "Chrome/142.0.0.0 Safari/537.36", Class: Tablet, Weight: 1.2, Resolutions: resTablet},
	{UA: uaAndroid + "14; SM-X210" + uaBlink + "SamsungBrowser/28.0 Chrome/130.0.0.0 Safari/537.36", Class: Tablet, Weight: 0.5, Resolutions: resTablet},
	{UA: uaAndroid + "11; KFRAWI" + uaBlink + "Silk/135.2.1 like Chrome/135.0.7049.111 Safari/537.36", Class: Tablet, Weight: 0.3, Resolutions: resTablet},
}

// Devices returns the user-agent pool with each weight scaled to the device's share of all
// visits (the weights sum to 1, each class to its ClassShares share).
func Devices() []Device {
	classSum := map[DeviceClass]float64{}
	for _, d := range devicePool {
		classSum[d.Class] += d.Weight
	}
	out := make([]Device, len(devicePool))
	for i, d := range devicePool {
		d.Weight = d.Weight / classSum[d.Class] * ClassShares[d.Class]
		d.Resolutions = append([]string(nil), d.Resolutions...)
		out[i] = d
	}
	return out
}

func deviceWeights(ds []Device) []float64 {
	w := make([]float64, len(ds))
	for i, d := range ds {
		w[i] = d.Weight
	}
	return w
}
